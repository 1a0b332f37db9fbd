"""Why a pair matched: aligned requirement <-> capability passages and distinctive shared terms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from matching.documents import Chunk, Document
from matching.lexical import lexical_text
from matching.multilingual import MULTILINGUAL, PRIMARY
from matching.policy import is_chinese
from matching.text import is_evidence_term, split_sentences, surface_terms, tokenize


@dataclass(frozen=True)
class EvidencePair:
    requirement: str
    capability: str
    similarity: float


@dataclass(frozen=True)
class Evidence:
    pairs: list[EvidencePair] = field(default_factory=list)
    shared_terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def explain(
    query: Document,
    query_chunks: list[Chunk],
    query_vectors: np.ndarray,
    candidate: Document,
    candidate_chunks: list[Chunk],
    candidate_vectors: np.ndarray,
    top: int = 3,
    *,
    idf: Callable[[str], float] | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    terms: int = 8,
) -> Evidence:
    """Evidence for (query, candidate).

    ``pairs``: the ``top`` most similar (query chunk, candidate chunk) pairs by cosine, each query
    chunk and each candidate chunk used once. When ``encode`` (e.g. ``Embedder.encode``) is given,
    each pair is narrowed to its most similar pair of sentences. ``shared_terms``: words in both
    documents, most distinctive first (by ``idf``, e.g. ``SearchSpace.idf``, else by rarity in the
    pair itself).
    """
    pairs: list[EvidencePair] = []
    if len(query_chunks) and len(candidate_chunks):
        sims = np.asarray(query_vectors, np.float32) @ np.asarray(candidate_vectors, np.float32).T
        used_rows: set[int] = set()
        used_cols: set[int] = set()
        for flat in np.argsort(-sims, axis=None, kind="stable"):
            row, col = divmod(int(flat), sims.shape[1])
            if row in used_rows or col in used_cols:
                continue
            used_rows.add(row)
            used_cols.add(col)
            pairs.append(
                EvidencePair(
                    query_chunks[row].text, candidate_chunks[col].text, float(sims[row, col])
                )
            )
            if len(pairs) == top:
                break
        if encode is not None:
            pairs = [_narrow(pair, encode) for pair in pairs]
    return Evidence(pairs=pairs, shared_terms=shared_terms(query, candidate, idf=idf, limit=terms))


def _narrow(pair: EvidencePair, encode: Callable[[list[str]], np.ndarray]) -> EvidencePair:
    left = split_sentences(pair.requirement) or [pair.requirement]
    right = split_sentences(pair.capability) or [pair.capability]
    if len(left) == 1 and len(right) == 1:
        return pair
    vectors = encode(left + right)
    sims = vectors[: len(left)] @ vectors[len(left) :].T
    row, col = divmod(int(np.argmax(sims)), sims.shape[1])
    return EvidencePair(left[row], right[col], float(sims[row, col]))


def reading_encoder(query: Document, candidate: Document, encoders: Iterable[str]) -> str:
    """The encoder whose vectors compare the pair's passages: the multilingual one when either
    document is Chinese and it is at hand (an English-only model cannot read Chinese), else
    the primary one, which ranks English pairs best."""
    if MULTILINGUAL in encoders and (is_chinese(query) or is_chinese(candidate)):
        return MULTILINGUAL
    return PRIMARY


def shared_terms(
    query: Document,
    candidate: Document,
    *,
    idf: Callable[[str], float] | None = None,
    limit: int = 8,
) -> list[str]:
    """Words both documents use, most distinctive first, shown as the query spells them.

    Only words really written on both sides count: across languages that leaves the acronyms,
    standards and model numbers both texts spell alike. Numbers, Chinese stop words and words
    too common to say anything are never evidence (``is_evidence_term``)."""
    query_tokens = tokenize(lexical_text(query))
    candidate_tokens = set(tokenize(lexical_text(candidate)))
    common = {t for t in query_tokens if t in candidate_tokens and is_evidence_term(t)}
    if not common:
        return []
    counts: dict[str, int] = {}
    for token in query_tokens:
        if token in common:
            counts[token] = counts.get(token, 0) + 1
    if idf is not None:
        weight = {t: idf(t) * (1 + np.log(counts[t])) for t in common}
    else:
        # Without corpus statistics, rarer words in the query are taken as more distinctive.
        weight = {t: 1.0 / counts[t] + len(t) / 100 for t in common}
    surfaces = surface_terms(lexical_text(query))
    ranked = sorted(common, key=lambda t: (-weight[t], t))[:limit]
    return [surfaces.get(t, t) for t in ranked]
