"""Ranking metrics over binary or graded qrels: Recall@k, MRR@k, nDCG@k."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    hits = sum(1 for doc in ranked[:k] if relevant.get(doc, 0) > 0)
    total = sum(1 for grade in relevant.values() if grade > 0)
    return hits / total if total else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    for position, doc in enumerate(ranked[:k], start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / position
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    gains = [relevant.get(doc, 0) for doc in ranked[:k]]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains) if g > 0)
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def evaluate_run(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, int]],
    young: set[str] | None = None,
) -> dict[str, float]:
    """Mean metrics over the queries that have relevant documents in ``qrels``.

    ``young`` names the documents whose recall is reported apart (``young_recall@10``: for each
    query with relevant young documents, the share of them in the top 10, averaged).
    """
    queries = [q for q, rel in qrels.items() if any(g > 0 for g in rel.values())]
    if not queries:
        return {}
    rows: dict[str, list[float]] = {
        "recall@10": [],
        "recall@50": [],
        "mrr@10": [],
        "ndcg@10": [],
        "young_recall@10": [],
    }
    for query in queries:
        ranked = list(run.get(query, ()))
        relevant = qrels[query]
        rows["recall@10"].append(recall_at(ranked, relevant, 10))
        rows["recall@50"].append(recall_at(ranked, relevant, 50))
        rows["mrr@10"].append(mrr_at(ranked, relevant, 10))
        rows["ndcg@10"].append(ndcg_at(ranked, relevant, 10))
        if young is not None:
            young_relevant = {d: g for d, g in relevant.items() if d in young}
            if any(g > 0 for g in young_relevant.values()):
                rows["young_recall@10"].append(recall_at(ranked, young_relevant, 10))
    means = {name: sum(v) / len(v) for name, v in rows.items() if v}
    means["queries"] = float(len(queries))
    if rows["young_recall@10"]:
        means["young_queries"] = float(len(rows["young_recall@10"]))
    return means
