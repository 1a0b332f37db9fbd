"""Cut the small SBIR slice that notebooks/matching_quality.ipynb runs on by default.

    python notebooks/data/make_slice.py SOURCE_DIR [--out notebooks/data/sbir-slice]

SOURCE_DIR holds the full benchmark (challenges.jsonl, profiles.jsonl, split_dev.txt,
qrels_dev.tsv). The slice keeps a few dev challenges that have qrels (half of them with a relevant
company of at most two capability statements, so young recall is defined), their relevant
profiles, for each challenge the best-scoring irrelevant profiles by BM25 (hard distractors), and
a seeded random sample of other profiles; everything is written in the same file formats.
Only small companies (few capability statements) are taken, to keep the files and the encoding
small. The choice is deterministic for a given source and seed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from matching.evaluate import profile_document, read_jsonl, read_qrels, read_split
from matching.lexical import LexicalIndex
from matching.ranker import lexical_text

MAX_STATEMENTS = 15
YOUNG = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder of the full SBIR benchmark")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "sbir-slice")
    parser.add_argument("--challenges", type=int, default=4)
    parser.add_argument("--profiles", type=int, default=40)
    parser.add_argument("--hard", type=int, default=4, help="BM25 distractors per challenge")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    src = args.source
    challenges = {r["id"]: r for r in read_jsonl(src / "challenges.jsonl")}
    profiles = {r["id"]: r for r in read_jsonl(src / "profiles.jsonl")}
    qrels = read_qrels(src / "qrels_dev.tsv")
    small = {p for p, r in profiles.items() if len(r["capabilities"]) <= MAX_STATEMENTS}

    def young(cid: str) -> bool:
        return any(len(profiles[p]["capabilities"]) <= YOUNG for p in qrels[cid])

    eligible = [
        c
        for c in read_split(src / "split_dev.txt")
        if c in qrels and 2 <= len(qrels[c]) <= 3 and set(qrels[c]) <= small
    ]
    rng = random.Random(args.seed)
    with_young = [c for c in eligible if young(c)]
    without = [c for c in eligible if not young(c)]
    half = args.challenges // 2
    chosen = rng.sample(with_young, half) + rng.sample(without, args.challenges - half)

    keep = list(dict.fromkeys(p for c in chosen for p in sorted(qrels[c])))
    lexical = LexicalIndex()
    for pid in sorted(small):
        lexical.add(pid, lexical_text(profile_document(profiles[pid])))
    for cid in chosen:
        keys, scores = lexical.scores(challenges[cid]["title"] + "\n" + challenges[cid]["text"])
        ranked = [k for _, k in sorted(zip(scores.tolist(), keys, strict=True), reverse=True)]
        keep += [p for p in ranked if p not in keep and p not in qrels[cid]][: args.hard]
    others = sorted(small - set(keep))
    keep += rng.sample(others, max(0, args.profiles - len(keep)))

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "challenges.jsonl", [challenges[c] for c in chosen])
    write_jsonl(out / "profiles.jsonl", [profiles[p] for p in sorted(keep)])
    (out / "split_dev.txt").write_text("".join(f"{c}\n" for c in chosen))
    rows = [f"{c}\t{p}\t{g}\n" for c in chosen for p, g in sorted(qrels[c].items())]
    (out / "qrels_dev.tsv").write_text("challenge_id\tprofile_id\trelevance\n" + "".join(rows))
    print(f"{len(chosen)} challenges, {len(keep)} profiles, {len(rows)} qrels -> {out}")


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
