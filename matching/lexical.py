"""BM25 (bm25s, sparse) over English and Chinese tokens, with add/remove and allow-lists."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import numpy as np

from matching.documents import DocId, Document
from matching.glossary import gloss
from matching.text import tokenize


def lexical_text(doc: Document) -> str:
    """The words BM25 sees: title, text and statements."""
    return "\n".join([doc.title, doc.text, *doc.statements])


K = TypeVar("K", bound=Hashable)


class LexicalIndex(Generic[K]):
    """BM25 over documents' tokens, keyed by any hashable id.

    Adds and removes only touch a dict; the bm25s matrix is rebuilt on the next query after a
    change (re-indexing pre-tokenised documents takes well under a second per 10k documents).
    """

    def __init__(self, k1: float = 0.8, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._tokens: dict[K, list[str]] = {}
        self._df: Counter[str] = Counter()
        self._keys: list[K] = []
        self._row: dict[K, int] = {}
        self._bm25 = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, key: object) -> bool:
        return key in self._tokens

    def add(self, key: K, text: str) -> None:
        """Index ``text`` under ``key``, replacing what the key held."""
        self.remove(key)
        tokens = tokenize(text)
        self._tokens[key] = tokens
        self._df.update(set(tokens))
        self._bm25 = None

    def remove(self, key: K) -> None:
        tokens = self._tokens.pop(key, None)
        if tokens is None:
            return
        self._df.subtract(set(tokens))
        self._bm25 = None

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a (tokenised) term; 0 for unseen terms."""
        df = self._df.get(term, 0)
        if df <= 0:
            return 0.0
        n = len(self._tokens)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def tokens(self, key: K) -> list[str]:
        return self._tokens[key]

    def _ready(self):
        with self._lock:
            if self._bm25 is None:
                import bm25s

                self._keys = list(self._tokens)
                self._row = {key: row for row, key in enumerate(self._keys)}
                bm25 = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
                # bm25s cannot index a corpus without a single word (documents of numbers or
                # control characters only): such a corpus matches no query.
                if any(self._tokens[k] for k in self._keys):
                    bm25.index([self._tokens[k] for k in self._keys], show_progress=False)
                self._bm25 = bm25
            return self._bm25, self._keys, self._row

    def scores(
        self, query: str | list[str], allow: Iterable[K] | None = None
    ) -> tuple[list[K], np.ndarray]:
        """(keys, BM25 scores) over the allowed documents (all when ``allow`` is None).

        A query term counts once per occurrence, so terms a long query repeats weigh more."""
        bm25, keys, row = self._ready()
        tokens = tokenize(query) if isinstance(query, str) else query
        if not keys:
            return [], np.zeros(0, dtype=np.float32)
        vocab = getattr(bm25, "vocab_dict", None) or {}
        known = [t for t in tokens if t in vocab]
        full = (
            bm25.get_scores(known).astype(np.float32)
            if known
            else np.zeros(len(keys), dtype=np.float32)
        )
        if allow is None:
            return list(keys), full
        chosen = [key for key in allow if key in row]
        return chosen, full[
            np.fromiter((row[k] for k in chosen), dtype=np.int64, count=len(chosen))
        ]


class SpaceWords:
    """The words of a space's documents: BM25 over their own words, and in a bilingual space
    also over their English readings (``glossary.gloss``), where words meet across languages."""

    def __init__(self, *, k1: float, b: float, readings: bool) -> None:
        self.words = LexicalIndex[DocId](k1=k1, b=b)
        self.readings = LexicalIndex[DocId](k1=k1, b=b) if readings else None

    def add(self, doc: Document) -> None:
        self.words.add(doc.id, lexical_text(doc))
        if self.readings is not None:
            self.readings.add(doc.id, gloss(lexical_text(doc)))

    def remove(self, doc_id: DocId) -> None:
        self.words.remove(doc_id)
        if self.readings is not None:
            self.readings.remove(doc_id)

    def reading_scores(self, query: Document, pool: list[DocId]) -> np.ndarray:
        """BM25 of the English readings of ``query`` and of each of ``pool``, in pool order."""
        assert self.readings is not None, "a space without multilingual vectors keeps no readings"
        keys, scores = self.readings.scores(gloss(lexical_text(query)), allow=pool)
        row = {key: i for i, key in enumerate(keys)}
        return scores[[row[d] for d in pool]]
