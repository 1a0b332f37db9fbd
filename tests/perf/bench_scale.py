"""Benchmark: the limits docs/scaling.md talks about, measured on this machine.

    python tests/perf/bench_scale.py [--profiles 10000]

1. Memory of one process's startup search space (FAISS vectors + BM25) per 1,000 profiles,
   built from real demo texts and vectors (repeated with small noise past their count).
2. Channel-layer fan-out: one group_send to a group of N members, Redis (channels_redis)
   beside the in-memory layer as the baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from matching import Document, Embedder, SearchSpace  # noqa: E402

FIXTURES = ROOT / "backend" / "demo" / "fixtures"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def space_memory(profiles: int) -> tuple[float, int]:
    with gzip.open(FIXTURES / "demo.json.gz", "rt") as handle:
        rows = json.load(handle)["profiles"]
    shipped = np.load(FIXTURES / "demo_vectors.npz")
    vectors = dict(
        zip(shipped["hashes"].tolist(), shipped["vectors"].astype(np.float32), strict=True)
    )
    embedder = Embedder()
    rng = np.random.default_rng(7)
    base = []
    for row in rows:
        doc = Document(id=0, text=row["text"], statements=tuple(row["capabilities"]))
        chunks = embedder.chunk(doc)
        if all(c.content_hash in vectors for c in chunks):
            base.append((doc, chunks, np.vstack([vectors[c.content_hash] for c in chunks])))
    space = SearchSpace(model_id=embedder.model_id, dimension=384)
    before = rss_mb()
    chunk_count = 0
    for i in range(profiles):
        doc, chunks, matrix = base[i % len(base)]
        noisy = matrix + rng.normal(0, 0.01, matrix.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        space.upsert(Document(i, doc.title, doc.text, doc.statements), chunks, noisy)
        chunk_count += len(chunks)
    space.search(base[0][0], base[0][1], base[0][2], k=10)  # the lexical index is built lazily
    return (rss_mb() - before) / profiles * 1000, chunk_count


async def fan_out(layer, members: int, messages: int) -> float:
    channels = [await layer.new_channel() for _ in range(members)]
    for channel in channels:
        await layer.group_add("bench", channel)
    start = time.perf_counter()
    for n in range(messages):
        await layer.group_send("bench", {"type": "notify", "n": n})
        await asyncio.gather(*(layer.receive(channel) for channel in channels))
    elapsed = time.perf_counter() - start
    for channel in channels:
        await layer.group_discard("bench", channel)
    return messages * members / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"))
    args = parser.parse_args()
    per_thousand, chunks = space_memory(args.profiles)
    print("\n| search space | profiles | chunk vectors | MB per 1,000 profiles |")
    print("| --- | --- | --- | --- |")
    print(f"| FAISS + BM25, one process | {args.profiles:,} | {chunks:,} | {per_thousand:.1f} |")

    from channels.layers import InMemoryChannelLayer
    from channels_redis.core import RedisChannelLayer

    print("\n| channel layer | group members | deliveries/s |\n| --- | --- | --- |")
    for members in (10, 100):
        memory = asyncio.run(fan_out(InMemoryChannelLayer(), members, 50))
        redis = asyncio.run(fan_out(RedisChannelLayer(hosts=[args.redis]), members, 50))
        print(f"| in-memory (baseline) | {members} | {memory:,.0f} |")
        print(f"| Redis (channels_redis) | {members} | {redis:,.0f} |")


if __name__ == "__main__":
    main()
