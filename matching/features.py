"""The ranker's maths: the features of a candidate pool, their z-scores and the weighted terms
that combine them into one score.

Features computed for every candidate in the pool (cosines: both sides are unit vectors):
  bm25             BM25 of the query's words in the candidate's title, text and statements
  lexical          bm25; in a bilingual ranking (query or pool Chinese), for a candidate in
                   the other language than the query, BM25 over the English readings of both
                   (``glossary.gloss``: Chinese read word by word through a dictionary, so
                   words can meet across languages)
  dense_text       mean over query chunks of the candidate's title/text chunks' similarities,
                   pooled by log-mean-exp (a soft max that does not grow with the chunk count);
                   a candidate without title/text: its dense_statement
  dense_statement  mean over query chunks of the best similarity with a candidate statement
                   (a candidate without statements: the best similarity with its title/text)
  title_statement  best similarity of the query's title with a candidate statement (no query
                   title: any query chunk; no statements: the candidate's title/text)
Each feature is z-scored over the pool; a term takes the best z of its features, so a candidate
is judged by its strongest field (a young company's one abstract can carry it as far as a long
history of statements would). Weights were fitted on the SBIR dev split by 5-fold
cross-validation (docs/matching.md) and frozen here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matching.documents import DocId, ScoredDoc
from matching.multilingual import MULTILINGUAL, PRIMARY

# {term name: (weight, the features it takes the best z-score of)}
Terms = dict[str, tuple[float, tuple[str, ...]]]

TERMS: Terms = {
    "lexical": (1.0, ("lexical",)),
    "dense": (1.5, ("dense_statement", "dense_text")),
    "title": (0.5, ("title_statement",)),
}
# A bilingual ranking reads every pair twice, with the multilingual encoder (dense_*) and with
# the primary model through English readings (reading_*), one term each; every feature is
# z-scored within each language of the pool (``combine``). Chosen among six weightings on the
# bilingual dev split (docs/matching.md): the primary terms' 1.5 split 1.0 + 1.0.
MULTILINGUAL_TERMS: Terms = {
    "lexical": (1.0, ("lexical",)),
    "dense": (1.0, ("dense_statement", "dense_text")),
    "reading": (1.0, ("reading_statement", "reading_text")),
    "title": (0.5, ("title_statement", "reading_title")),
    "feedback": (1.0, ("feedback",)),
    # The feedback of a candidate in the other language than the query, in a pool of both
    # languages (``SearchSpace`` in ``matching.ranker``): its first-pass evidence is all across
    # languages.
    "feedback_across": (1.5, ("feedback_across",)),
}
FEATURES = ("lexical", "bm25", "dense_text", "dense_statement", "title_statement")
DENSE_FEATURES = ("dense_text", "dense_statement", "title_statement")
# In a bilingual ranking, the same three from the primary model's vectors, which read Chinese
# through its English reading (``glossary.english_reading``): a second view of every pair.
READING_FEATURES = ("reading_text", "reading_statement", "reading_title")
LEXICAL_FEATURES = frozenset({"lexical", "bm25"})
PER_LANGUAGE = LEXICAL_FEATURES | set(READING_FEATURES) | {"feedback", "feedback_across"}


@dataclass(frozen=True)
class CandidatePool:
    """One ranking's candidates, each raw feature over them (rows in candidate order), and the
    encoder whose vectors gave the dense features (``PRIMARY`` or ``MULTILINGUAL``)."""

    candidates: list[DocId]
    features: dict[str, np.ndarray]
    encoder: str = PRIMARY
    # In a bilingual ranking, each candidate's language (True: Chinese); features are z-scored
    # within each language (``combine``). None: one group.
    groups: np.ndarray | None = None


def default_terms(encoder: str) -> Terms:
    """The ranker's terms for a ranking whose dense features came from ``encoder``."""
    return dict(MULTILINGUAL_TERMS if encoder == MULTILINGUAL else TERMS)


def best_dense(features: Mapping[str, np.ndarray]) -> np.ndarray:
    """A candidate's best dense similarity: what the proposal and search floors are compared
    with. In a bilingual ranking (reading features present), the mean of the best of each view,
    the multilingual encoder's and the primary model's over English readings: on the bilingual
    dev pairs it tells relevant pairs from the rest better than either view alone (at the floor
    that holds back 5.1% of relevant pairs, it holds back 60.7% of all pairs; the multilingual
    encoder alone 46.1%)."""
    best = np.maximum.reduce([features[name] for name in DENSE_FEATURES])
    if all(name in features for name in READING_FEATURES):
        reading = np.maximum.reduce([features[name] for name in READING_FEATURES])
        return (best + reading) / 2
    return best


def rank(
    candidates: list[DocId],
    features: dict[str, np.ndarray],
    terms: Terms,
    k: int,
    groups: np.ndarray | None = None,
) -> list[ScoredDoc]:
    """The ``k`` best candidates by ``combine``; ties keep pool order."""
    if not candidates:
        return []
    scores = combine(features, terms, groups)
    return [scored(candidates, scores, features, i) for i in order(scores)[:k].tolist()]


def order(scores: np.ndarray) -> np.ndarray:
    """Positions by score, best first; ties keep pool order."""
    return np.lexsort((np.arange(len(scores)), -scores))


def scored(
    candidates: list[DocId], scores: np.ndarray, features: dict[str, np.ndarray], i: int
) -> ScoredDoc:
    """The hit of candidate ``i``: its score and its raw features as components."""
    return ScoredDoc(candidates[i], float(scores[i]), {n: float(f[i]) for n, f in features.items()})


def grouped_zscore(values: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """``zscore`` within each of the two groups (None, or all in one group: over all)."""
    if groups is None or groups.all() or not groups.any():
        return zscore(values)
    out = np.empty(len(values), dtype=np.float32)
    for members in (groups, ~groups):
        out[members] = zscore(values[members])
    return out


def zscore(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    if std < 1e-9:
        return np.zeros_like(values, dtype=np.float32)
    return ((values - values.mean()) / std).astype(np.float32)


def combine(
    features: dict[str, np.ndarray],
    terms: Terms,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Sum over terms of weight x the best z-score among the term's features.

    z-scores are taken over the pool; with ``groups`` (a bilingual pool's two languages), those
    of features whose scale depends on the language (``PER_LANGUAGE``: BM25 and the English
    readings) within each language, so that neither language buries the other. The
    multilingual encoder reads both languages in one space: its features stay pooled, so the
    best of a poor lot in one language does not rise with them."""
    z = {
        name: grouped_zscore(values, groups if name in PER_LANGUAGE else None)
        for name, values in features.items()
    }
    total = np.zeros(len(next(iter(features.values()))), dtype=np.float32)
    for weight, names in terms.values():
        present = [z[name] for name in names if name in z]  # reading_*: bilingual rankings only
        if present:
            total += weight * np.max(present, axis=0)
    return total
