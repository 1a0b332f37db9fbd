"""Engine benchmark: embedding throughput per backend, index build time, query latency.

    python tests/perf/bench_engine.py [--quick] [--cache-dir var/embedding-cache] [--embedding-only]

Embedding rows: torch, ONNX Runtime and ONNX Runtime int8 (``EngineConfig.backend``) encode the
same chunks of real profiles in one run; each row gives its mean cosine to torch's vectors and
its speed-up over torch.

Vectors are real: the SBIR chunk vectors from the evaluation's embedding cache (run
``python -m matching.evaluate`` first); past their count, copies of them with small Gaussian noise,
renormalised. Queries are held-out real vectors. Uniform random vectors are never used: every
approximate index looks broken on them.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from matching import Document, Embedder, EngineConfig, VectorIndex  # noqa: E402

NOISE = 0.02  # per dimension; a noisy copy keeps a cosine of about 0.9 to its source


def cached_vectors(cache_dir: Path, model_id: str) -> np.ndarray:
    path = cache_dir / "embeddings.sqlite3"
    if not path.is_file():
        raise SystemExit(f"no embedding cache at {path}: run python -m matching.evaluate first")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT vector FROM vectors WHERE model = ?", (model_id,)).fetchall()
    return np.stack([np.frombuffer(r[0], dtype=np.float32) for r in rows])


def grow(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    if n <= len(base):
        return base[:n].copy()
    extra = base[rng.integers(0, len(base), n - len(base))]
    extra = extra + rng.normal(0.0, NOISE, extra.shape).astype(np.float32)
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    return np.vstack([base, extra])


def percentiles(latencies: list[float]) -> tuple[float, float]:
    ms = np.asarray(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


BACKENDS = ("torch", "onnx", "onnx-int8")


def embedding_rows(
    chunks: list[str], texts: int, onnx_dir: str | None, rounds: int = 3
) -> list[tuple]:
    """One row per backend, all on the same chunks (of ``texts`` documents) in the same run:
    texts/s, chunks/s, mean cosine to torch's vectors, speed-up over torch. ONNX files are
    exported (or found in ``onnx_dir``) and every backend warmed before any clock starts; the
    backends then take turns for ``rounds`` rounds and each keeps its fastest, so that a burst of
    load on the machine does not land on one backend only."""
    embedders = {name: Embedder(EngineConfig(backend=name, onnx_dir=onnx_dir)) for name in BACKENDS}
    for embedder in embedders.values():
        embedder.encode(chunks[:8])
    best = dict.fromkeys(BACKENDS, float("inf"))
    vectors = {}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            started = time.perf_counter()
            vectors[name] = embedder.encode(chunks)
            best[name] = min(best[name], time.perf_counter() - started)
    rows = []
    for name in BACKENDS:
        cosine = float(np.mean(np.sum(vectors[name] * vectors["torch"], axis=1)))
        rows.append(
            (name, texts / best[name], len(chunks) / best[name], cosine, best["torch"] / best[name])
        )
    return rows


def index_rows(vectors: np.ndarray, queries: np.ndarray, sizes: list[int]) -> list[tuple]:
    rng = np.random.default_rng(0)
    rows = []
    for size in sizes:
        data = grow(vectors, size, rng)
        ids = np.arange(size, dtype=np.int64)
        results = {}
        for kind, threshold in (("faiss exact", size + 1), ("faiss hnsw", 0)):
            index = VectorIndex(data.shape[1], "bench", approximate_threshold=threshold)
            started = time.perf_counter()
            index.upsert(ids, data)
            build = time.perf_counter() - started
            latencies, found = [], []
            for query in queries:
                t0 = time.perf_counter()
                _, hit = index.search(query[None, :], 20)
                latencies.append(time.perf_counter() - t0)
                found.append(hit[0])
            results[kind] = found
            rows.append((size, kind, build, *percentiles(latencies), None))
            del index
        latencies = []
        for query in queries:
            t0 = time.perf_counter()
            sims = data @ query
            top = np.argpartition(-sims, 20)[:20]
            top[np.argsort(-sims[top])]
            latencies.append(time.perf_counter() - t0)
        rows.append((size, "numpy brute force", 0.0, *percentiles(latencies), None))
        recall = np.mean(
            [
                len(set(a[:10]) & set(b[:10])) / 10
                for a, b in zip(results["faiss hnsw"], results["faiss exact"], strict=True)
            ]
        )
        rows[-2] = (*rows[-2][:5], float(recall))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10k and 100k vectors only")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/embedding-cache")
    parser.add_argument("--profiles", type=int, default=40, help="profiles to embed")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("SBIR_DIR", ROOT / "notebooks/data/sbir-slice")),
        help="the SBIR benchmark folder (SBIR_DIR); default: the slice shipped for the notebook",
    )
    parser.add_argument("--onnx-dir", help="cache of exported ONNX files (default: user cache)")
    parser.add_argument("--embedding-only", action="store_true", help="skip the index rows")
    parser.add_argument("--rounds", type=int, default=3, help="timed encodes per backend")
    args = parser.parse_args()

    embedder = Embedder(EngineConfig())
    with (args.data / "profiles.jsonl").open() as handle:
        rows = [json.loads(next(handle)) for _ in range(args.profiles)]
    docs = [Document(r["id"], "", r["text"], tuple(r["capabilities"])) for r in rows]
    chunks = [c.text for doc in docs for c in embedder.chunk(doc)]
    embed = embedding_rows(chunks, len(docs), args.onnx_dir, args.rounds)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (other work skews timings)")
    print(
        f"embedding ({len(docs)} profiles -> {len(chunks)} chunks, model {embedder.model_id}, "
        "batch 32)"
    )
    print(f"{'backend':<12}{'texts/s':>10}{'chunks/s':>10}{'cos to torch':>14}{'speed-up':>10}")
    for name, texts, chunks, cosine, speedup in embed:
        print(f"{name:<12}{texts:>10.1f}{chunks:>10.1f}{cosine:>14.4f}{speedup:>9.2f}x")
    print()
    if args.embedding_only:
        return 0

    vectors = cached_vectors(args.cache_dir, embedder.model_id)
    rng = np.random.default_rng(1)
    order = rng.permutation(len(vectors))
    queries, base = vectors[order[:200]], vectors[order[200:]]
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    index = index_rows(base, queries, sizes)

    print(
        f"top-20 search, one query at a time ({len(base)} real vectors, more by noise; "
        f"{len(queries)} held-out queries)"
    )
    print(f"{'vectors':>9}  {'index':<18}{'build s':>9}{'p50 ms':>9}{'p99 ms':>9}{'recall@10':>11}")
    for size, kind, build, p50, p99, recall in index:
        cell = f"{recall:>11.3f}" if recall is not None else f"{'':>11}"
        print(f"{size:>9}  {kind:<18}{build:>9.2f}{p50:>9.3f}{p99:>9.3f}{cell}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
