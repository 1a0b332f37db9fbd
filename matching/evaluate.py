"""Evaluate the ranker on a challenge -> profile benchmark (the SBIR files' formats).

    python -m matching.evaluate --challenges F --profiles F --qrels F --split F [--run-out F]

Ranks every profile for every challenge of the split with the platform's ``SearchSpace`` and prints
Recall@10, Recall@50, MRR@10, nDCG@10 for the default ranker, BM25 alone and dense alone, with
Recall@10 over relevant companies that have at most two capability statements. Embeddings are
cached on disk by model id + chunk content hash, so a rerun encodes nothing new.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.cache import EmbeddingCache
from matching.config import EngineConfig
from matching.documents import Document, ScoredDoc
from matching.embedder import Embedder
from matching.metrics import evaluate_run
from matching.onnx_backend import BACKENDS
from matching.ranker import TERMS, SearchSpace, rank

RUN_DEPTH = 100
PROPOSALS = 20  # the platform proposes a challenge's best 20 startups (its default setting)
RUN_TAG = "innomatch"
YOUNG_MAX_STATEMENTS = 2
RANKERS: dict[str, dict[str, tuple[float, tuple[str, ...]]]] = {
    "default": dict(TERMS),
    "bm25": {"lexical": (1.0, ("lexical",))},
    "dense": {name: term for name, term in TERMS.items() if name != "lexical"},
}
COLUMNS = ("recall@10", "recall@50", "mrr@10", "ndcg@10", "young_recall@10")
HEADERS = ("Recall@10", "Recall@50", "MRR@10", "nDCG@10", "Young R@10")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_split(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TSV ``challenge_id, profile_id, relevance`` with a header; lines that are not three
    tab-separated fields (e.g. a hashed qrels file) are ignored."""
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 3 or line.startswith("#"):
            continue
        try:
            grade = int(fields[2])
        except ValueError:
            continue  # the header
        qrels.setdefault(fields[0], {})[fields[1]] = grade
    return qrels


def challenge_document(row: dict) -> Document:
    return Document(id=row["id"], title=row.get("title", ""), text=row.get("text", ""))


def profile_document(row: dict) -> Document:
    return Document(
        id=row["id"], text=row.get("text", ""), statements=tuple(row.get("capabilities", ()))
    )


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class FloorProbe:
    """What the platform's proposal floor (``SearchSpace.evidence_mask``) holds back: relevant
    pairs it would never propose, all pairs (the noise it keeps out of a small pool), and the
    proposals of the full pool (each challenge's default top ``PROPOSALS``)."""

    qrels: dict[str, dict[str, int]]
    floor: float
    relevant: int = 0
    relevant_held: int = 0
    pairs: int = 0
    pairs_held: int = 0
    proposals: int = 0
    proposals_held: int = 0

    def add(
        self, challenge_id: str, candidates: list, kept: np.ndarray, proposed: list[ScoredDoc]
    ) -> None:
        self.pairs += len(candidates)
        self.pairs_held += int((~kept).sum())
        relevant = self.qrels.get(challenge_id, {})
        kept_by_id = dict(zip(candidates, kept.tolist(), strict=True))
        for candidate, is_kept in kept_by_id.items():
            if relevant.get(str(candidate), 0) > 0:
                self.relevant += 1
                self.relevant_held += not is_kept
        self.proposals += len(proposed)
        self.proposals_held += sum(not kept_by_id[hit.doc_id] for hit in proposed)

    def summary(self) -> str:
        return (
            f"proposal floor {self.floor:g} (best dense similarity) holds back "
            f"{self.relevant_held}/{self.relevant} relevant pairs "
            f"({self.relevant_held / max(self.relevant, 1):.1%}), "
            f"{self.pairs_held / max(self.pairs, 1):.1%} of all {self.pairs} pairs, "
            f"{self.proposals_held}/{self.proposals} of the top-{PROPOSALS} proposals"
        )


def run_benchmark(
    challenges: list[Document],
    profiles: list[Document],
    config: EngineConfig,
    cache: EmbeddingCache,
    depth: int = RUN_DEPTH,
    floor_probe: FloorProbe | None = None,
) -> dict[str, dict[str, list[ScoredDoc]]]:
    """Rank every profile for every challenge; {ranker name: {challenge id: hits}}."""
    embedder = Embedder(config)
    started = time.monotonic()
    profile_chunks = [embedder.chunk(p) for p in profiles]
    challenge_chunks = [embedder.chunk(c) for c in challenges]
    _log(f"chunked in {time.monotonic() - started:.0f}s")
    model_id = embedder.model_id

    def progress(done: int, total: int) -> None:
        _log(f"encoded {done}/{total} new chunks ({time.monotonic() - started:.0f}s)")

    flat = [c for chunks in profile_chunks + challenge_chunks for c in chunks]
    vectors = cache.vectors_for(model_id, flat, embedder.encode, progress=progress)
    space = SearchSpace(config, model_id=model_id, dimension=vectors.shape[1])
    offset = 0
    per_doc = []
    for chunks in profile_chunks + challenge_chunks:
        per_doc.append(vectors[offset : offset + len(chunks)])
        offset += len(chunks)
    space.upsert_many(zip(profiles, profile_chunks, per_doc, strict=False))
    runs: dict[str, dict[str, list[ScoredDoc]]] = {name: {} for name in RANKERS}
    challenge_vectors = per_doc[len(profiles) :]
    for doc, chunks, doc_vectors in zip(
        challenges, challenge_chunks, challenge_vectors, strict=True
    ):
        candidates, features = space.features(doc, chunks, doc_vectors)
        for name, terms in RANKERS.items():
            runs[name][str(doc.id)] = rank(candidates, features, terms, depth)
        if floor_probe is not None:
            kept = space.evidence_mask(doc, candidates, features)
            proposed = runs["default"][str(doc.id)][:PROPOSALS]
            floor_probe.add(str(doc.id), candidates, kept, proposed)
    _log(f"ranked {len(challenges)} challenges in {time.monotonic() - started:.0f}s")
    return runs


def format_table(results: dict[str, dict[str, float]]) -> str:
    lines = [f"{'ranker':<10}" + "".join(f"{h:>12}" for h in HEADERS)]
    for name, metrics in results.items():
        cells = "".join(f"{metrics[c]:>12.3f}" if c in metrics else f"{'n/a':>12}" for c in COLUMNS)
        lines.append(f"{name:<10}{cells}")
    return "\n".join(lines)


def write_run(path: Path, run: dict[str, list[ScoredDoc]]) -> None:
    """TREC run format: ``challenge_id Q0 profile_id rank score tag``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for challenge_id, hits in run.items():
            for position, hit in enumerate(hits, start=1):
                handle.write(
                    f"{challenge_id} Q0 {hit.doc_id} {position} {hit.score:.6f} {RUN_TAG}\n"
                )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__)
    parser.add_argument("--challenges", type=Path, required=True)
    parser.add_argument("--profiles", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument("--split", type=Path, required=True, help="file of challenge ids")
    parser.add_argument("--run-out", type=Path, help="write the default ranker's top 100 (TREC)")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/embedding-cache"))
    parser.add_argument(
        "--model-path",
        default=os.environ.get("MATCHING_MODEL_PATH") or None,
        help="sentence-transformers model folder (default: MATCHING_MODEL_PATH, else packaged)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="torch",
        help="embedding backend; onnx-int8 vectors differ, so use a --cache-dir of their own",
    )
    parser.add_argument("--onnx-dir", help="cache of exported ONNX files (default: user cache)")
    args = parser.parse_args(argv)

    split = read_split(args.split)
    wanted = set(split)
    challenges = [challenge_document(r) for r in read_jsonl(args.challenges) if r["id"] in wanted]
    profiles = [profile_document(r) for r in read_jsonl(args.profiles)]
    qrels = {q: rel for q, rel in read_qrels(args.qrels).items() if q in wanted}
    young = {str(p.id) for p in profiles if len(p.statements) <= YOUNG_MAX_STATEMENTS}
    config = EngineConfig(model_path=args.model_path, backend=args.backend, onnx_dir=args.onnx_dir)
    cache = EmbeddingCache(args.cache_dir / "embeddings.sqlite3")
    probe = FloorProbe(qrels, config.proposal_floor)
    try:
        runs = run_benchmark(challenges, profiles, config, cache, floor_probe=probe)
    finally:
        cache.close()

    print(
        f"split {args.split.name}: {len(challenges)} challenges, {len(profiles)} profiles, "
        f"{len(qrels)} challenges with qrels"
    )
    if args.run_out is not None:
        write_run(args.run_out, runs["default"])
        print(f"run written to {args.run_out} (default ranker, top {RUN_DEPTH} per challenge)")
    if not qrels:
        print(f"metrics unavailable: {args.qrels} has no readable rows for this split")
        return 0
    results = {}
    for name, run in runs.items():
        ranked = {q: [str(h.doc_id) for h in hits] for q, hits in run.items()}
        results[name] = evaluate_run(ranked, qrels, young)
    print(format_table(results))
    print(
        f"Young R@10: Recall@10 over relevant profiles with <= {YOUNG_MAX_STATEMENTS} capability "
        f"statements ({int(results['default'].get('young_queries', 0))} challenges have one)"
    )
    print(probe.summary())
    print(
        "default = "
        + " + ".join(f"{w:g} x max z({', '.join(names)})" for w, names in TERMS.values())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
