"""Benchmark: the limits docs/scaling.md talks about, measured on this machine.

    python tests/perf/bench_scale.py [--profiles 10000]

1. Memory of one process's startup search space (FAISS vectors + BM25) per 1,000 profiles,
   built from the real demo texts (repeated past their count) chunked as the platform chunks
   them, with random unit vectors: what a vector holds does not change what it weighs.
2. Channel-layer fan-out: one group_send to a group of N members, on the platform's Redis layer
   (`backend.common.channel_layer`) with the members in the publishing process and in another
   one (a second layer: only Redis joins the two), beside the in-memory layer as the baseline,
   measured in the same run.
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
    embedder = Embedder()
    rng = np.random.default_rng(7)
    base = []
    for row in rows:
        doc = Document(id=0, text=row["text"], statements=tuple(row["capabilities"]))
        base.append((doc, embedder.chunk(doc)))
    space = SearchSpace(model_id=embedder.model_id, dimension=384)
    before = rss_mb()
    chunk_count = 0
    for i in range(profiles):
        doc, chunks = base[i % len(base)]
        vectors = rng.normal(size=(len(chunks), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        space.upsert(Document(i, doc.title, doc.text, doc.statements), chunks, vectors)
        chunk_count += len(chunks)
    space.search(doc, chunks, vectors, k=10)  # the lexical index is built lazily
    return (rss_mb() - before) / profiles * 1000, chunk_count


async def fan_out(publisher, members: int, messages: int, receiver=None) -> float:
    """Deliveries a second of `publisher`'s group_send to `members` channels of `receiver`
    (another process's layer; by default the publisher's own)."""
    receiver = receiver or publisher
    channels = [await receiver.new_channel() for _ in range(members)]
    for channel in channels:
        await receiver.group_add("bench", channel)
    start = time.perf_counter()
    for n in range(messages):
        await publisher.group_send("bench", {"type": "notify", "n": n})
        await asyncio.gather(*(receiver.receive(channel) for channel in channels))
    elapsed = time.perf_counter() - start
    for channel in channels:
        await receiver.group_discard("bench", channel)
    for layer in {publisher, receiver}:
        await layer.flush()
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

    from backend.common.channel_layer import LocalFirstPubSubChannelLayer

    def redis_layer() -> LocalFirstPubSubChannelLayer:
        return LocalFirstPubSubChannelLayer(hosts=[args.redis], prefix="bench")

    print("\n| channel layer | group members | deliveries/s |\n| --- | --- | --- |")
    for members in (2, 10, 100):
        memory = asyncio.run(fan_out(InMemoryChannelLayer(), members, 50))
        local = asyncio.run(fan_out(redis_layer(), members, 50))
        remote = asyncio.run(fan_out(redis_layer(), members, 50, receiver=redis_layer()))
        print(f"| in-memory (baseline) | {members} | {memory:,.0f} |")
        print(f"| Redis, members in the publishing process | {members} | {local:,.0f} |")
        print(f"| Redis, members in another process | {members} | {remote:,.0f} |")


if __name__ == "__main__":
    main()
