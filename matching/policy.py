"""What the engine does about Chinese, and the absolute evidence a proposal or a search result
needs beyond its rank (the floors of ``EngineConfig``).

An English-only model's vectors are noise on Chinese text: a ranking without multilingual
vectors ranks a Chinese query by its words alone, and a pair the model cannot read needs shared
words instead of a dense similarity at the floor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from matching.config import EngineConfig
from matching.documents import Document
from matching.features import LEXICAL_FEATURES, Terms, best_dense
from matching.lexical import lexical_text
from matching.multilingual import MULTILINGUAL
from matching.text import cjk_share, tokenize

# Words a pair must share to be proposed where the model cannot read one side: one common word
# ("algorithm", "system") is a coincidence more often than a match.
MIN_SHARED_TERMS = 2
# Above this share of Chinese characters an English-only model's vectors are not evidence.
CHINESE_SHARE = 0.3


def is_chinese(doc: Document) -> bool:
    """Whether ``doc`` is written in Chinese (more than ``CHINESE_SHARE`` of its characters)."""
    return cjk_share(lexical_text(doc)) > CHINESE_SHARE


def reads_chinese(config: EngineConfig, encoder: str) -> bool:
    """Whether the vectors of ``encoder`` are evidence on Chinese text."""
    return encoder == MULTILINGUAL or config.multilingual_model


def terms_for(config: EngineConfig, terms: Terms, query: Document, encoder: str) -> Terms:
    """``terms``, but for a Chinese query an English-only model's dense terms are noise, so
    only the lexical one counts."""
    if not reads_chinese(config, encoder) and is_chinese(query):
        return {name: term for name, term in terms.items() if set(term[1]) <= LEXICAL_FEATURES}
    return terms


def evidence_mask(
    config: EngineConfig,
    query: Document,
    features: Mapping[str, np.ndarray],
    *,
    encoder: str,
    floor: float,
    unreadable: Callable[[], np.ndarray],
    words_of: Callable[[int], list[str]],
) -> np.ndarray:
    """For each candidate: whether its best dense similarity reaches ``floor``. Where an
    English-only model cannot read one side (``unreadable()``: the candidates whose pair with
    a non-Chinese query is Chinese), the pair needs ``MIN_SHARED_TERMS`` distinctive
    (non-numeric) words in common instead (``words_of(i)``: candidate ``i``'s tokens), or all
    of the query's when it has fewer (a one-word search)."""
    kept = np.asarray(best_dense(features) >= floor)
    if reads_chinese(config, encoder):
        return kept
    cannot_read = np.ones(len(kept), dtype=bool) if is_chinese(query) else unreadable()
    if cannot_read.any():
        words = {t for t in tokenize(lexical_text(query)) if not t.isdigit()}
        needed = max(1, min(MIN_SHARED_TERMS, len(words)))
        for i in np.flatnonzero(cannot_read):
            kept[i] = len(words.intersection(words_of(int(i)))) >= needed
    return kept
