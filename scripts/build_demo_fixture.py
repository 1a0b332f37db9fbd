"""Build the demo fixture shipped in backend/demo/fixtures from the public SBIR benchmark.

SBIR topics and award abstracts are U.S. government works. Run once by a maintainer:
    python scripts/build_demo_fixture.py --data SBIR_DIR --out backend/demo/fixtures/demo.json.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

# Two firms' programmes, each a handful of real topics on one industry chain.
PROGRAMMES = {
    "energy": [
        "DOD-A15-101",
        "DOD-A16-131",
        "DOD-A17-014",
        "DOD-A17-020",
        "DOD-A17-025",
        "DOD-A17-028",
        "DOD-A16-132",
    ],
    "sensing": ["DOD-A17-047", "DOD-A17-098", "DOD-A17-064", "DOD-A16-069", "DOD-A17-043"],
}
DEMO_STARTUP_TOPIC = "DOD-A15-101"
PROFILE_COUNT = 260


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    challenges = {
        row["id"]: row for row in map(json.loads, (args.data / "challenges.jsonl").open())
    }
    profiles = {row["id"]: row for row in map(json.loads, (args.data / "profiles.jsonl").open())}
    relevant: dict[str, list[str]] = defaultdict(list)
    for qrels in ("qrels_dev.tsv",):
        for line in list((args.data / qrels).open())[1:]:
            challenge_id, profile_id, _ = line.rstrip("\n").split("\t")
            relevant[challenge_id].append(profile_id)

    chosen: list[str] = []
    for topic_ids in PROGRAMMES.values():
        for topic_id in topic_ids:
            chosen.extend(p for p in relevant[topic_id] if p not in chosen)
    rng = random.Random(20261127)
    others = sorted(set(profiles) - set(chosen))
    chosen.extend(rng.sample(others, PROFILE_COUNT - len(chosen)))
    demo_startup = min(relevant[DEMO_STARTUP_TOPIC], key=lambda p: len(profiles[p]["capabilities"]))

    fixture = {
        "source": "U.S. SBIR.gov topics and award records (U.S. government works)",
        "programmes": {
            key: [
                {"id": c, "title": challenges[c]["title"], "text": challenges[c]["text"]}
                for c in topic_ids
            ]
            for key, topic_ids in PROGRAMMES.items()
        },
        "demo_startup": demo_startup,
        "profiles": [
            {
                "id": p,
                "name": profiles[p]["name"],
                "text": profiles[p]["text"],
                "capabilities": profiles[p]["capabilities"][:300],
            }
            for p in chosen
        ],
    }
    with gzip.open(args.out, "wt", encoding="utf-8") as handle:
        json.dump(fixture, handle, ensure_ascii=False)
    print(f"{len(chosen)} profiles, demo startup {demo_startup} -> {args.out}")


if __name__ == "__main__":
    main()
