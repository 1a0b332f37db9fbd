"""SearchSpace: one side of the market in memory, ranked by dense + lexical evidence.

The same class ranks challenge -> profiles and profile -> challenges: a query document is scored
against candidate documents through the chunk vectors of both and through BM25 over their words.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path

import numpy as np

from matching.config import EngineConfig
from matching.documents import Chunk, Document, ScoredDoc
from matching.errors import IndexMismatchError
from matching.index import VectorIndex, _atomic_write
from matching.lexical import LexicalIndex
from matching.text import cjk_share, tokenize

DocId = int | str

# Features computed for every candidate in the pool (cosines: both sides are unit vectors):
#   lexical          BM25 of the query's words in the candidate's title, text and statements
#   dense_text       mean over query chunks of the candidate's title/text chunks' similarities,
#                    pooled by log-mean-exp (a soft max that does not grow with the chunk count);
#                    a candidate without title/text: its dense_statement
#   dense_statement  mean over query chunks of the best similarity with a candidate statement
#                    (a candidate without statements: the best similarity with its title/text)
#   title_statement  best similarity of the query's title with a candidate statement (no query
#                    title: any query chunk; no statements: the candidate's title/text)
# Each feature is z-scored over the pool; a term takes the best z of its features, so a candidate
# is judged by its strongest field (a young company's one abstract can carry it as far as a long
# history of statements would). Weights were fitted on the SBIR dev split by 5-fold
# cross-validation (docs/matching.md) and frozen here.
TERMS: dict[str, tuple[float, tuple[str, ...]]] = {
    "lexical": (1.0, ("lexical",)),
    "dense": (1.5, ("dense_statement", "dense_text")),
    "title": (0.5, ("title_statement",)),
}
FEATURES = ("lexical", "dense_text", "dense_statement", "title_statement")
DENSE_FEATURES = ("dense_text", "dense_statement", "title_statement")
SOFT_MAX_TEMPERATURE = 0.1
# Words a pair must share to be proposed where the model cannot read one side: one common word
# ("algorithm", "system") is a coincidence more often than a match.
MIN_SHARED_TERMS = 2
# Above this share of Chinese characters an English-only model's vectors are not evidence.
CHINESE_SHARE = 0.3
BODY_FIELDS = frozenset({"title", "text"})


def best_dense(features: Mapping[str, np.ndarray | float]) -> np.ndarray | float:
    """A candidate's best dense similarity: what ``proposal_floor`` and ``search_floor`` are
    compared with."""
    return np.maximum.reduce([features[name] for name in DENSE_FEATURES])


def _is_chinese(doc: Document) -> bool:
    return cjk_share(lexical_text(doc)) > CHINESE_SHARE


def lexical_text(doc: Document) -> str:
    """The words BM25 sees: title, text and statements."""
    return "\n".join([doc.title, doc.text, *doc.statements])


class SearchSpace:
    """Documents of one kind with their chunk vectors (FAISS) and words (BM25).

    ``upsert`` takes vectors computed elsewhere (the ``Embedder``); it never encodes.
    """

    def __init__(
        self,
        config: EngineConfig | None = None,
        *,
        model_id: str = "",
        dimension: int | None = None,
        terms: dict[str, tuple[float, tuple[str, ...]]] | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.model_id = model_id
        self.terms = dict(TERMS if terms is None else terms)
        self._docs: dict[DocId, Document] = {}
        self._chunks: dict[DocId, list[Chunk]] = {}
        self._chunk_ids: dict[DocId, np.ndarray] = {}
        self._chunk_owner: dict[int, DocId] = {}
        self._chinese: set[DocId] = set()
        self._next_chunk_id = 0
        self._lexical = LexicalIndex(k1=self.config.bm25_k1, b=self.config.bm25_b)
        self._vectors: VectorIndex | None = None
        # Writers and readers may share a space across threads (a web process's workers).
        self._lock = threading.RLock()
        if dimension is not None:
            self._vectors = self._new_index(dimension)

    def _new_index(self, dimension: int) -> VectorIndex:
        return VectorIndex(dimension, self.model_id, **_index_options(self.config))

    # -- contents ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def get(self, doc_id: DocId) -> Document:
        return self._docs[doc_id]

    def chunks_of(self, doc_id: DocId) -> list[Chunk]:
        return self._chunks[doc_id]

    def vectors_of(self, doc_id: DocId) -> np.ndarray:
        assert self._vectors is not None
        return self._vectors.reconstruct(self._chunk_ids[doc_id])

    def idf(self, term: str) -> float:
        """Inverse document frequency of a lexical token in this space (for evidence)."""
        return self._lexical.idf(term)

    @property
    def vector_index(self) -> VectorIndex | None:
        return self._vectors

    def upsert(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Put ``doc`` with its chunks and their vectors (one row per chunk), replacing its
        previous state."""
        self.upsert_many([(doc, chunks, vectors)])

    def upsert_many(self, items: Iterable[tuple[Document, list[Chunk], np.ndarray]]) -> None:
        """``upsert`` for many documents with one index write (building a space from storage)."""
        batch: dict[DocId, tuple[Document, list[Chunk], np.ndarray]] = {}
        for doc, chunks, vectors in items:
            vectors = np.asarray(vectors, dtype=np.float32)
            if not len(chunks):
                vectors = np.zeros((0, 0), dtype=np.float32)
            if vectors.ndim != 2 or len(vectors) != len(chunks):
                raise ValueError(f"{len(chunks)} chunks but vectors of shape {vectors.shape}")
            batch[doc.id] = (doc, list(chunks), vectors)  # a repeated id: the last one wins
        dimensions = {v.shape[1] for _, c, v in batch.values() if len(c)}
        with self._lock:
            if self._vectors is not None and dimensions:
                dimensions.add(self._vectors.dimension)
            if len(dimensions) > 1:
                raise IndexMismatchError(f"vectors of dimensions {sorted(dimensions)} in one space")
            if self._vectors is None and dimensions:
                self._vectors = self._new_index(dimensions.pop())
            for doc_id in batch:
                self._remove(doc_id)
            all_ids, all_vectors = [], []
            for doc, chunks, vectors in batch.values():
                start = self._next_chunk_id
                ids = np.arange(start, start + len(chunks), dtype=np.int64)
                self._next_chunk_id += len(chunks)
                self._register(doc, chunks, ids)
                if len(chunks):
                    all_ids.append(ids)
                    all_vectors.append(vectors)
            if all_ids:
                assert self._vectors is not None
                self._vectors.upsert(np.concatenate(all_ids), np.vstack(all_vectors))

    def _register(self, doc: Document, chunks: list[Chunk], ids: np.ndarray) -> None:
        """Everything but the vectors: the document, its chunks and their ids, its words."""
        self._docs[doc.id] = doc
        self._chunks[doc.id] = chunks
        self._chunk_ids[doc.id] = ids
        self._chunk_owner.update(dict.fromkeys(ids.tolist(), doc.id))
        self._lexical.add(doc.id, lexical_text(doc))
        if _is_chinese(doc):
            self._chinese.add(doc.id)

    def remove(self, doc_id: DocId) -> None:
        with self._lock:
            self._remove(doc_id)

    def _remove(self, doc_id: DocId) -> None:
        if doc_id not in self._docs:
            return
        ids = self._chunk_ids.pop(doc_id)
        if self._vectors is not None:
            self._vectors.remove(ids.tolist())
        for chunk_id in ids.tolist():
            del self._chunk_owner[chunk_id]
        del self._docs[doc_id]
        del self._chunks[doc_id]
        self._chinese.discard(doc_id)
        self._lexical.remove(doc_id)

    # -- ranking -----------------------------------------------------------------------------

    def search(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: np.ndarray,
        k: int,
        allow_ids: set[DocId] | None = None,
        *,
        evidenced: bool = False,
    ) -> list[ScoredDoc]:
        """The ``k`` best documents for ``query`` (optionally only among ``allow_ids``), best
        first, each with its score and raw feature values as components.

        ``evidenced``: only documents with the evidence a search result needs (``evidence_mask``
        at ``search_floor``), the ``k`` best of those, so a query that nothing fits finds
        nothing. Scores are the same either way: the whole pool is ranked, then masked."""
        ranked = self._ranked(
            query,
            query_chunks,
            query_vectors,
            allow_ids,
            depth=None if evidenced else k,
            floor=self.config.search_floor if evidenced else None,
            limit=k,
        )
        return [hit for _, hit in ranked]

    def proposals(
        self, query: Document, query_chunks: list[Chunk], query_vectors: np.ndarray, k: int
    ) -> list[tuple[int, ScoredDoc]]:
        """Of the ``k`` best documents for ``query``, those with the evidence a proposal needs
        (``evidence_mask`` at ``proposal_floor``), each with its rank among all."""
        return self._ranked(
            query, query_chunks, query_vectors, None, depth=k, floor=self.config.proposal_floor
        )

    def _ranked(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: np.ndarray,
        allow_ids: set[DocId] | None,
        *,
        depth: int | None,
        floor: float | None,
        limit: int | None = None,
    ) -> list[tuple[int, ScoredDoc]]:
        """Of the ``depth`` best candidates (None: all), best first, with their 1-based rank
        among all; with a ``floor``, only those that ``evidence_mask`` keeps at it; at most
        ``limit`` of them (None: all)."""
        candidates, features = self.features(query, query_chunks, query_vectors, allow_ids)
        if not candidates:
            return []
        scores = combine(features, self._terms_for(query))
        order = _order(scores)[:depth]
        ranks = np.arange(1, len(order) + 1)
        if floor is not None:
            kept = self.evidence_mask(
                query,
                [candidates[i] for i in order],
                {name: values[order] for name, values in features.items()},
                floor,
            )
            order, ranks = order[kept], ranks[kept]
        order, ranks = order[:limit], ranks[:limit]
        return [
            (int(position), _scored(candidates, scores, features, i))
            for position, i in zip(ranks.tolist(), order.tolist(), strict=True)
        ]

    def proposal_standing(
        self, query: Document, query_chunks: list[Chunk], query_vectors: np.ndarray, doc_id: DocId
    ) -> tuple[int, ScoredDoc] | None:
        """Where ``doc_id`` ranks for ``query`` (1-based, ties as ``rank`` breaks them) and its
        hit; None when it is outside the candidate pool or lacks the evidence a proposal needs."""
        candidates, features = self.features(query, query_chunks, query_vectors)
        if doc_id not in candidates:
            return None
        i = candidates.index(doc_id)
        own = {name: values[i : i + 1] for name, values in features.items()}
        if not self.evidence_mask(query, [doc_id], own)[0]:
            return None
        scores = combine(features, self._terms_for(query))
        position = 1 + int((scores > scores[i]).sum()) + int((scores[:i] == scores[i]).sum())
        components = {name: float(values[i]) for name, values in features.items()}
        return position, ScoredDoc(doc_id, float(scores[i]), components)

    def evidence_mask(
        self,
        query: Document,
        candidates: list[DocId],
        features: Mapping[str, np.ndarray],
        floor: float | None = None,
    ) -> np.ndarray:
        """For each candidate of a search for ``query``: whether it has absolute evidence, a
        dense similarity at ``floor`` or above (None: ``proposal_floor``, what a proposal
        needs). Where an English-only model cannot read one side (Chinese text), its cosines
        are noise: the pair needs ``MIN_SHARED_TERMS`` distinctive (non-numeric) words in common
        instead, or all of the query's when it has fewer (a one-word search)."""
        floor = self.config.proposal_floor if floor is None else floor
        kept = np.asarray(best_dense(features) >= floor)
        if self.config.multilingual_model:
            return kept
        unreadable = (
            np.ones(len(candidates), dtype=bool)
            if _is_chinese(query)
            else np.fromiter((d in self._chinese for d in candidates), bool, len(candidates))
        )
        if unreadable.any():
            words = {t for t in tokenize(lexical_text(query)) if not t.isdigit()}
            needed = max(1, min(MIN_SHARED_TERMS, len(words)))
            for i in np.flatnonzero(unreadable):
                shared = words.intersection(self._lexical.tokens(candidates[i]))
                kept[i] = len(shared) >= needed
        return kept

    def _terms_for(self, query: Document) -> dict[str, tuple[float, tuple[str, ...]]]:
        """The ranker's terms; for a Chinese query an English-only model's dense terms are
        noise, so only the lexical one counts."""
        if not self.config.multilingual_model and _is_chinese(query):
            return {name: term for name, term in self.terms.items() if term[1] == ("lexical",)}
        return self.terms

    def features(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: np.ndarray,
        allow_ids: set[DocId] | None = None,
    ) -> tuple[list[DocId], dict[str, np.ndarray]]:
        """Candidate pool for ``query`` and each raw feature over it.

        The pool is every allowed document when there are at most ``candidate_pool`` of them,
        else the union of the ``retrieval_depth`` best by BM25 and by dense chunk similarity.
        """
        with self._lock:
            return self._features(query, query_chunks, query_vectors, allow_ids)

    def _features(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: np.ndarray,
        allow_ids: set[DocId] | None,
    ) -> tuple[list[DocId], dict[str, np.ndarray]]:
        allowed: list[DocId] = (
            list(self._docs) if allow_ids is None else [d for d in allow_ids if d in self._docs]
        )
        if not allowed:
            return [], {name: np.zeros(0, dtype=np.float32) for name in FEATURES}
        query_vectors = np.asarray(query_vectors, dtype=np.float32).reshape(len(query_chunks), -1)
        keys, lexical = self._lexical.scores(lexical_text(query), allow=allowed)
        if len(allowed) <= self.config.candidate_pool:
            pool = keys
        else:
            top = np.argsort(-lexical, kind="stable")[: self.config.retrieval_depth]
            pool_set: dict[Hashable, None] = dict.fromkeys(keys[i] for i in top)
            pool_set.update(dict.fromkeys(self._dense_candidates(query_vectors, allowed)))
            pool = list(pool_set)
        row = {key: i for i, key in enumerate(keys)}
        lexical_pool = lexical[[row[d] for d in pool]]
        dense = self._dense_features(query_chunks, query_vectors, pool)
        if not self.config.multilingual_model:
            chinese = np.fromiter((d in self._chinese for d in pool), dtype=bool, count=len(pool))
            if chinese.any() and not chinese.all():
                # Neutral dense evidence (the pool's mean) for candidates the model cannot read.
                for values in dense.values():
                    values[chinese] = values[~chinese].mean()
        return list(pool), {"lexical": lexical_pool, **dense}

    def _dense_candidates(self, query_vectors: np.ndarray, allowed: list[DocId]) -> list[DocId]:
        if self._vectors is None or len(query_vectors) == 0:
            return []
        depth = self.config.retrieval_depth
        allow_chunks = None
        if len(allowed) < len(self._docs):
            allow_chunks = np.concatenate([self._chunk_ids[d] for d in allowed])
        # Documents own several chunks: twice as many chunk hits leave room for repeats.
        scores, ids = self._vectors.search(query_vectors, 2 * depth, allow_chunks)
        best: dict[DocId, float] = {}
        for score, chunk_id in zip(scores.ravel().tolist(), ids.ravel().tolist(), strict=True):
            if chunk_id < 0:
                continue
            owner = self._chunk_owner[chunk_id]
            if score > best.get(owner, -np.inf):
                best[owner] = score
        return sorted(best, key=best.__getitem__, reverse=True)[:depth]

    def _dense_features(
        self, query_chunks: list[Chunk], query_vectors: np.ndarray, pool: list[DocId]
    ) -> dict[str, np.ndarray]:
        n = len(pool)
        names = ("dense_text", "dense_statement", "title_statement")
        if self._vectors is None or len(query_vectors) == 0 or n == 0:
            return {name: np.zeros(n, np.float32) for name in names}
        ids = [self._chunk_ids[d] for d in pool]
        vectors = self._vectors.reconstruct(np.concatenate(ids))
        owner = np.repeat(np.arange(n), [len(i) for i in ids])
        is_body = np.array(
            [c.field in BODY_FIELDS for d in pool for c in self._chunks[d]], dtype=bool
        )
        sims = query_vectors @ vectors.T  # cosine: both sides are unit length
        is_title = np.array([c.field == "title" for c in query_chunks], dtype=bool)
        if not is_title.any():
            is_title[:] = True
        body_max = _per_owner(sims, owner, is_body, n, "max")
        body_soft = _per_owner(sims, owner, is_body, n, "soft")
        statement_max = _per_owner(sims, owner, ~is_body, n, "max")
        has_body = np.isfinite(body_max[0])
        has_statements = np.isfinite(statement_max[0])
        text = np.where(has_body, body_soft.mean(axis=0), statement_max.mean(axis=0))
        statement = np.where(has_statements, statement_max.mean(axis=0), body_max.mean(axis=0))
        title = np.where(
            has_statements, statement_max[is_title].max(axis=0), body_max[is_title].max(axis=0)
        )
        return {
            name: np.nan_to_num(values, neginf=0.0).astype(np.float32)
            for name, values in zip(names, (text, statement, title), strict=True)
        }

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: str | Path) -> dict:
        """Write the vector index with its manifest, then the documents and chunk ids."""
        if self._vectors is None:
            raise ValueError("an empty space has no vectors to save")
        directory = Path(directory)
        manifest = self._vectors.save(directory)
        state = {
            "model": self.model_id,
            "next_chunk_id": self._next_chunk_id,
            "documents": [
                {
                    "id": doc.id,
                    "title": doc.title,
                    "text": doc.text,
                    "statements": list(doc.statements),
                    "chunks": [
                        [c.field, c.ordinal, c.text, c.content_hash] for c in self._chunks[doc.id]
                    ],
                    "chunk_ids": self._chunk_ids[doc.id].tolist(),
                }
                for doc in self._docs.values()
            ],
        }
        _atomic_write(directory / "documents.json", json.dumps(state).encode())
        return manifest

    @classmethod
    def load(
        cls,
        directory: str | Path,
        config: EngineConfig | None = None,
        *,
        model_id: str,
        dimension: int,
    ) -> SearchSpace:
        """A space saved by ``save``; raises ``IndexMismatchError`` when it does not fit."""
        config = config or EngineConfig()
        directory = Path(directory)
        space = cls(config, model_id=model_id)
        space._vectors = VectorIndex.load(
            directory, model_id=model_id, dimension=dimension, **_index_options(config)
        )
        try:
            state = json.loads((directory / "documents.json").read_text())
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(f"no readable documents.json in {directory}") from exc
        for item in state["documents"]:
            doc = Document(item["id"], item["title"], item["text"], tuple(item["statements"]))
            ids = np.asarray(item["chunk_ids"], dtype=np.int64)
            if not all(int(i) in space._vectors for i in ids):
                raise IndexMismatchError(f"documents.json in {directory} names missing vectors")
            space._register(doc, [Chunk(*c) for c in item["chunks"]], ids)
        space._next_chunk_id = int(state["next_chunk_id"])
        return space


def _index_options(config: EngineConfig) -> dict[str, int]:
    return {
        "approximate_threshold": config.approximate_threshold,
        "hnsw_m": config.hnsw_m,
        "hnsw_ef_construction": config.hnsw_ef_construction,
        "hnsw_ef_search": config.hnsw_ef_search,
    }


def _per_owner(
    sims: np.ndarray, owner: np.ndarray, mask: np.ndarray, n: int, how: str
) -> np.ndarray:
    """For each query row and each owner, the max (``how="max"``) or the log-mean-exp soft max
    (``how="soft"``) of ``sims`` over the owner's columns where ``mask`` holds; -inf for owners
    without such columns."""
    out = np.full((sims.shape[0], n), -np.inf, dtype=np.float32)
    owners = owner[mask]
    if not owners.size:
        return out
    # Columns are grouped by owner (candidates' chunks were concatenated in pool order).
    present, starts = np.unique(owners, return_index=True)
    selected = sims[:, mask]
    if how == "max":
        out[:, present] = np.maximum.reduceat(selected, starts, axis=1)
    else:
        t = SOFT_MAX_TEMPERATURE
        counts = np.diff(np.append(starts, owners.size))
        sums = np.add.reduceat(np.exp((selected - 1.0) / t), starts, axis=1)
        out[:, present] = 1.0 + t * np.log(sums / counts)
    return out


def rank(
    candidates: list[DocId],
    features: dict[str, np.ndarray],
    terms: dict[str, tuple[float, tuple[str, ...]]],
    k: int,
) -> list[ScoredDoc]:
    """The ``k`` best candidates by ``combine``; ties keep pool order."""
    if not candidates:
        return []
    scores = combine(features, terms)
    return [_scored(candidates, scores, features, i) for i in _order(scores)[:k].tolist()]


def _order(scores: np.ndarray) -> np.ndarray:
    """Positions by score, best first; ties keep pool order."""
    return np.lexsort((np.arange(len(scores)), -scores))


def _scored(
    candidates: list[DocId], scores: np.ndarray, features: dict[str, np.ndarray], i: int
) -> ScoredDoc:
    return ScoredDoc(candidates[i], float(scores[i]), {n: float(f[i]) for n, f in features.items()})


def zscore(values: np.ndarray) -> np.ndarray:
    std = float(values.std())
    if std < 1e-9:
        return np.zeros_like(values, dtype=np.float32)
    return ((values - values.mean()) / std).astype(np.float32)


def combine(
    features: dict[str, np.ndarray], terms: dict[str, tuple[float, tuple[str, ...]]]
) -> np.ndarray:
    """Sum over terms of weight x the best z-score (over the pool) among the term's features."""
    z = {name: zscore(values) for name, values in features.items()}
    total = np.zeros(len(next(iter(features.values()))), dtype=np.float32)
    for weight, names in terms.values():
        total += weight * np.max([z[name] for name in names], axis=0)
    return total
