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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matching.cache import EmbeddingCache
from matching.config import EngineConfig
from matching.documents import Document, ScoredDoc
from matching.embedder import Embedder
from matching.features import MULTILINGUAL_TERMS, TERMS, best_dense, default_terms, rank
from matching.metrics import evaluate_run
from matching.multilingual import MULTILINGUAL, PRIMARY
from matching.onnx_backend import BACKENDS
from matching.ranker import SearchSpace

RUN_DEPTH = 100
PROPOSALS = 20  # the platform proposes a challenge's best 20 startups (its default setting)
RUN_TAG = "cohortis"
YOUNG_MAX_STATEMENTS = 2
RANKERS = ("default", "bm25", "dense")


def ranker_terms(name: str, encoder: str) -> dict[str, tuple[float, tuple[str, ...]]]:
    """The platform's terms for a ranking by ``encoder`` (default), BM25 alone, or its dense
    terms alone."""
    if name == "bm25":
        return {"lexical": (1.0, ("bm25",))}
    terms = default_terms(encoder)
    if name == "dense":
        return {key: term for key, term in terms.items() if key != "lexical"}
    return terms


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
class _FloorCounts:
    relevant_best: list[float] = field(default_factory=list)
    relevant_held: int = 0
    pairs: int = 0
    pairs_held: int = 0
    proposals: int = 0
    proposals_held: int = 0


@dataclass
class FloorProbe:
    """What the platform's proposal floor (``SearchSpace.evidence_mask``) holds back, per
    encoder: relevant pairs it would never propose, all pairs (the noise it keeps out of a small
    pool), and the proposals of the full pool (each challenge's default top ``PROPOSALS``); with
    the percentiles of relevant pairs' best dense similarity that the floors are set from."""

    qrels: dict[str, dict[str, int]]
    config: EngineConfig
    counts: dict[str, _FloorCounts] = field(default_factory=dict)

    def add(
        self,
        challenge_id: str,
        candidates: list,
        features: dict[str, np.ndarray],
        kept: np.ndarray,
        proposed: list[ScoredDoc],
        encoder: str,
    ) -> None:
        counts = self.counts.setdefault(encoder, _FloorCounts())
        counts.pairs += len(candidates)
        counts.pairs_held += int((~kept).sum())
        relevant = self.qrels.get(challenge_id, {})
        best = best_dense(features)
        kept_by_id = dict(zip(candidates, kept.tolist(), strict=True))
        for i, candidate in enumerate(candidates):
            if relevant.get(str(candidate), 0) > 0:
                counts.relevant_best.append(float(best[i]))
                counts.relevant_held += not kept[i]
        counts.proposals += len(proposed)
        counts.proposals_held += sum(not kept_by_id[hit.doc_id] for hit in proposed)

    def summary(self) -> str:
        lines = []
        for encoder, c in sorted(self.counts.items()):
            relevant = len(c.relevant_best)
            p1, p5 = np.percentile(c.relevant_best, [1, 5]) if relevant else (0.0, 0.0)
            search = self.config.floor("search", encoder)
            below_search = sum(best < search for best in c.relevant_best)
            lines.append(
                f"{encoder}: proposal floor {self.config.floor('proposal', encoder):g} (best "
                f"dense similarity) holds back {c.relevant_held}/{relevant} relevant pairs "
                f"({c.relevant_held / max(relevant, 1):.1%}), "
                f"{c.pairs_held / max(c.pairs, 1):.1%} of all {c.pairs} pairs, "
                f"{c.proposals_held}/{c.proposals} of the top-{PROPOSALS} proposals; relevant "
                f"pairs' best dense similarity: 1st percentile {p1:.3f}, 5th {p5:.3f}; search "
                f"floor {search:g} holds back {below_search}/{relevant}"
            )
        return "\n".join(lines)


def encode_space(
    documents: list[Document], embedder: Embedder, cache: EmbeddingCache
) -> tuple[list[list], list[dict[str, np.ndarray]]]:
    """Chunks of each document and their vectors from every encoder (cached on disk)."""
    started = time.monotonic()
    chunks = [embedder.chunk(d) for d in documents]
    flat = [c for doc_chunks in chunks for c in doc_chunks]
    per_doc: list[dict[str, np.ndarray]] = [{} for _ in documents]
    for encoder, model_id in embedder.model_ids.items():

        def progress(done: int, total: int, encoder: str = encoder) -> None:
            _log(
                f"{encoder}: encoded {done}/{total} new chunks ({time.monotonic() - started:.0f}s)"
            )

        vectors = cache.vectors_for(model_id, flat, embedder.encoder(encoder), progress=progress)
        offset = 0
        for i, doc_chunks in enumerate(chunks):
            per_doc[i][encoder] = vectors[offset : offset + len(doc_chunks)]
            offset += len(doc_chunks)
    return chunks, per_doc


def build_space(
    profiles: list[Document], embedder: Embedder, cache: EmbeddingCache, config: EngineConfig
) -> SearchSpace:
    """The platform's search space over ``profiles``, with every encoder's vectors."""
    chunks, vectors = encode_space(profiles, embedder, cache)
    model_ids = embedder.model_ids
    space = SearchSpace(
        config, model_id=model_ids[PRIMARY], multilingual_id=model_ids.get(MULTILINGUAL)
    )
    space.upsert_many(zip(profiles, chunks, vectors, strict=True))
    return space


def rank_challenges(
    space: SearchSpace,
    challenges: list[Document],
    embedder: Embedder,
    cache: EmbeddingCache,
    depth: int = RUN_DEPTH,
    floor_probe: FloorProbe | None = None,
    encoders: dict[str, int] | None = None,
) -> dict[str, dict[str, list[ScoredDoc]]]:
    """Rank every profile of ``space`` for every challenge; {ranker name: {challenge id: hits}}.
    ``encoders`` counts the rankings per encoder."""
    started = time.monotonic()
    challenge_chunks, challenge_vectors = encode_space(challenges, embedder, cache)
    runs: dict[str, dict[str, list[ScoredDoc]]] = {name: {} for name in RANKERS}
    for doc, chunks, doc_vectors in zip(
        challenges, challenge_chunks, challenge_vectors, strict=True
    ):
        pool = space.features(doc, chunks, doc_vectors)
        if encoders is not None:
            encoders[pool.encoder] = encoders.get(pool.encoder, 0) + 1
        for name in RANKERS:
            terms = ranker_terms(name, pool.encoder)
            runs[name][str(doc.id)] = rank(
                pool.candidates, pool.features, terms, depth, pool.groups
            )
        if floor_probe is not None:
            kept = space.evidence_mask(doc, pool.candidates, pool.features, encoder=pool.encoder)
            proposed = runs["default"][str(doc.id)][:PROPOSALS]
            floor_probe.add(
                str(doc.id), pool.candidates, pool.features, kept, proposed, pool.encoder
            )
    _log(f"ranked {len(challenges)} challenges in {time.monotonic() - started:.0f}s")
    return runs


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
    space = build_space(profiles, embedder, cache, config)
    return rank_challenges(space, challenges, embedder, cache, depth, floor_probe)


def format_table(results: dict[str, dict[str, float]]) -> str:
    lines = [f"{'ranker':<10}" + "".join(f"{h:>12}" for h in HEADERS)]
    for name, metrics in results.items():
        cells = "".join(f"{metrics[c]:>12.3f}" if c in metrics else f"{'n/a':>12}" for c in COLUMNS)
        lines.append(f"{name:<10}{cells}")
    return "\n".join(lines)


CONDITIONS = (
    ("en -> en", "en", "en"),
    ("zh -> en", "zh", "en"),
    ("en -> mixed", "en", "mixed"),
    ("zh -> mixed", "zh", "mixed"),
)


def pooled_recall(
    run: dict[str, list[str]], qrels: dict[str, dict[str, int]], k: int, profiles: set[str]
) -> float:
    """Recall@k pooled over the relevant (challenge, profile) pairs whose profile is in
    ``profiles``: pairs found in the top k / all such pairs."""
    found = total = 0
    for challenge, relevant in qrels.items():
        top = set(run.get(challenge, ())[:k])
        for profile, grade in relevant.items():
            if grade > 0 and profile in profiles:
                total += 1
                found += profile in top
    return found / total if total else 0.0


def bilingual_table(
    runs: dict[str, dict[str, dict[str, list[str]]]],
    qrels: dict[str, dict[str, int]],
    chinese: set[str],
    english: set[str],
) -> str:
    """{condition: {ranker: run}} as a Markdown table: nDCG@10 over challenges, Recall@10 and
    @50 pooled over pairs and split by the profile's language, and each against en -> en."""
    header = (
        "| condition | ranker | nDCG@10 | R@10 zh profiles | R@10 en profiles | R@50 zh profiles "
        "| R@50 en profiles | nDCG@10 / en->en | R@10 zh / en->en | R@10 en / en->en |"
    )
    lines = [header, "| " + " | ".join(["---"] * (header.count("|") - 1)) + " |"]
    base = {
        name: _bilingual_row(run, qrels, chinese, english) for name, run in runs["en -> en"].items()
    }
    for condition, by_ranker in runs.items():
        for name, run in by_ranker.items():
            row = _bilingual_row(run, qrels, chinese, english)
            ratios = [
                row[key] / base[name][key] if base[name][key] else 0.0
                for key in ("ndcg@10", "r10_zh", "r10_en")
            ]
            cells = [row[key] for key in ("ndcg@10", "r10_zh", "r10_en", "r50_zh", "r50_en")]
            lines.append(
                f"| {condition} | {name} | "
                + " | ".join(f"{v:.3f}" for v in cells)
                + " | "
                + " | ".join(f"{v:.2f}x" for v in ratios)
                + " |"
            )
    return "\n".join(lines)


def _bilingual_row(
    run: dict[str, list[str]],
    qrels: dict[str, dict[str, int]],
    chinese: set[str],
    english: set[str],
) -> dict[str, float]:
    return {
        "ndcg@10": evaluate_run(run, qrels).get("ndcg@10", 0.0),
        "r10_zh": pooled_recall(run, qrels, 10, chinese),
        "r10_en": pooled_recall(run, qrels, 10, english),
        "r50_zh": pooled_recall(run, qrels, 50, chinese),
        "r50_en": pooled_recall(run, qrels, 50, english),
    }


def bilingual_report(
    args: argparse.Namespace, config: EngineConfig, qrels: dict[str, dict[str, int]]
) -> int:
    """The four conditions of the bilingual benchmark side by side (``--zh-ids``)."""
    wanted = set(read_split(args.split))
    challenges = {
        "en": [challenge_document(r) for r in read_jsonl(args.challenges) if r["id"] in wanted],
        "zh": [challenge_document(r) for r in read_jsonl(args.challenges_zh) if r["id"] in wanted],
    }
    pools = {
        "en": [profile_document(r) for r in read_jsonl(args.profiles)],
        "mixed": [profile_document(r) for r in read_jsonl(args.profiles_mixed)],
    }
    chinese = set(read_split(args.zh_ids))
    english = {str(p.id) for p in pools["en"]} - chinese
    # The same relevant pairs in every condition: challenges that exist in both languages.
    both = {str(c.id) for c in challenges["zh"]} & {str(c.id) for c in challenges["en"]}
    qrels = {q: rel for q, rel in qrels.items() if q in both}
    challenges = {lang: [c for c in docs if str(c.id) in both] for lang, docs in challenges.items()}
    embedder = Embedder(config)
    cache = EmbeddingCache(args.cache_dir / "embeddings.sqlite3")
    probe = FloorProbe(qrels, config)
    encoders: dict[str, dict[str, int]] = {}
    runs: dict[str, dict[str, dict[str, list[str]]]] = {}
    try:
        for pool_name in ("en", "mixed"):
            space = build_space(pools[pool_name], embedder, cache, config)
            for condition, query_lang, condition_pool in CONDITIONS:
                if condition_pool != pool_name:
                    continue
                used = encoders.setdefault(condition, {})
                ranked = rank_challenges(
                    space, challenges[query_lang], embedder, cache, floor_probe=probe, encoders=used
                )
                runs[condition] = {
                    name: {q: [str(h.doc_id) for h in hits] for q, hits in run.items()}
                    for name, run in ranked.items()
                }
    finally:
        cache.close()
    runs = {condition: runs[condition] for condition, _, _ in CONDITIONS}
    print(
        f"split {args.split.name}: {len(qrels)} challenges with qrels in both languages, "
        f"{len(pools['en'])} profiles ({len(chinese)} Chinese in the mixed pool), "
        f"{sum(1 for rel in qrels.values() for p, g in rel.items() if g > 0 and p in chinese)} "
        f"relevant pairs with a Chinese profile, "
        f"{sum(1 for rel in qrels.values() for p, g in rel.items() if g > 0 and p in english)} "
        "with an English one"
    )
    print(bilingual_table(runs, qrels, chinese, english))
    for condition, used in encoders.items():
        print(f"{condition}: rankings by encoder {dict(sorted(used.items()))}")
    print(probe.summary())
    print(_terms_line("default (English)", TERMS))
    print(_terms_line("default (bilingual)", MULTILINGUAL_TERMS))
    return 0


def _terms_line(label: str, terms: dict[str, tuple[float, tuple[str, ...]]]) -> str:
    return f"{label} = " + " + ".join(
        f"{w:g} x max z({', '.join(names)})" for w, names in terms.values()
    )


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
    parser.add_argument(
        "--zh-ids",
        type=Path,
        help="ids of the profiles that are Chinese in --profiles-mixed: prints the four "
        "conditions of a bilingual benchmark (with --challenges-zh and --profiles-mixed)",
    )
    parser.add_argument("--challenges-zh", type=Path, help="the Chinese versions of --challenges")
    parser.add_argument("--profiles-mixed", type=Path, help="--profiles, part of them in Chinese")
    parser.add_argument(
        "--english-only",
        action="store_true",
        help="no multilingual vectors: the engine as it ranks before they are computed",
    )
    args = parser.parse_args(argv)
    if args.zh_ids is not None and (args.challenges_zh is None or args.profiles_mixed is None):
        parser.error("--zh-ids needs --challenges-zh and --profiles-mixed")

    split = read_split(args.split)
    wanted = set(split)
    challenges = [challenge_document(r) for r in read_jsonl(args.challenges) if r["id"] in wanted]
    profiles = [profile_document(r) for r in read_jsonl(args.profiles)]
    qrels = {q: rel for q, rel in read_qrels(args.qrels).items() if q in wanted}
    young = {str(p.id) for p in profiles if len(p.statements) <= YOUNG_MAX_STATEMENTS}
    config = EngineConfig(
        model_path=args.model_path,
        backend=args.backend,
        onnx_dir=args.onnx_dir,
        multilingual=not args.english_only,
    )
    if args.zh_ids is not None:
        return bilingual_report(args, config, qrels)
    cache = EmbeddingCache(args.cache_dir / "embeddings.sqlite3")
    probe = FloorProbe(qrels, config)
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
    print(_terms_line("default (English)", TERMS))
    print(_terms_line("default (bilingual)", MULTILINGUAL_TERMS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
