"""SearchSpace: one side of the market in memory, ranked by dense + lexical evidence.

The same class ranks challenge -> profiles and profile -> challenges: a query document is scored
against candidate documents through the chunk vectors of both and through BM25 over their words.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.config import EngineConfig
from matching.documents import Chunk, Document, ScoredDoc
from matching.errors import IndexMismatchError
from matching.glossary import gloss
from matching.index import VectorIndex, _atomic_write
from matching.lexical import LexicalIndex
from matching.multilingual import DIMENSION as MULTILINGUAL_DIMENSION
from matching.multilingual import MULTILINGUAL, PRIMARY
from matching.text import cjk_share, tokenize

DocId = int | str
# A document's chunk vectors: one matrix per encoder (``PRIMARY``, ``MULTILINGUAL``), rows in
# chunk order; a bare matrix is the primary encoder's.
Vectors = np.ndarray | Mapping[str, np.ndarray]

# Features computed for every candidate in the pool (cosines: both sides are unit vectors):
#   bm25             BM25 of the query's words in the candidate's title, text and statements
#   lexical          bm25; in a bilingual ranking (query or pool Chinese), for a candidate in
#                    the other language than the query, BM25 over the English readings of both
#                    (``glossary.gloss``: Chinese read word by word through a dictionary, so
#                    words can meet across languages)
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
# A bilingual ranking reads every pair twice, with the multilingual encoder (dense_*) and with
# the primary model through English readings (reading_*), one term each; every feature is
# z-scored within each language of the pool (``combine``). Chosen among six weightings on the
# bilingual dev split (docs/matching.md): the primary terms' 1.5 split 1.0 + 1.0.
MULTILINGUAL_TERMS: dict[str, tuple[float, tuple[str, ...]]] = {
    "lexical": (1.0, ("lexical",)),
    "dense": (1.0, ("dense_statement", "dense_text")),
    "reading": (1.0, ("reading_statement", "reading_text")),
    "title": (0.5, ("title_statement", "reading_title")),
    "feedback": (1.0, ("feedback",)),
    # The feedback of a candidate in the other language than the query, in a pool of both
    # languages (``SearchSpace._features``): its first-pass evidence is all across languages.
    "feedback_across": (1.5, ("feedback_across",)),
}
# Pseudo-relevance feedback of a bilingual ranking (``SearchSpace._feedback``): how many of the
# first pass's best documents of each language stand in as a second query for that language.
FEEDBACK_DOCUMENTS = 3
FEATURES = ("lexical", "bm25", "dense_text", "dense_statement", "title_statement")
DENSE_FEATURES = ("dense_text", "dense_statement", "title_statement")
# In a bilingual ranking, the same three from the primary model's vectors, which read Chinese
# through its English reading (``glossary.english_reading``): a second view of every pair.
READING_FEATURES = ("reading_text", "reading_statement", "reading_title")
LEXICAL_FEATURES = frozenset({"lexical", "bm25"})
PER_LANGUAGE = LEXICAL_FEATURES | set(READING_FEATURES) | {"feedback", "feedback_across"}
SOFT_MAX_TEMPERATURE = 0.1
# Words a pair must share to be proposed where the model cannot read one side: one common word
# ("algorithm", "system") is a coincidence more often than a match.
MIN_SHARED_TERMS = 2
# Above this share of Chinese characters an English-only model's vectors are not evidence.
CHINESE_SHARE = 0.3
BODY_FIELDS = frozenset({"title", "text"})


def default_terms(encoder: str) -> dict[str, tuple[float, tuple[str, ...]]]:
    """The ranker's terms for a ranking whose dense features came from ``encoder``."""
    return dict(MULTILINGUAL_TERMS if encoder == MULTILINGUAL else TERMS)


def best_dense(features: Mapping[str, np.ndarray | float]) -> np.ndarray | float:
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


def is_chinese(doc: Document) -> bool:
    """Whether ``doc`` is written in Chinese (more than ``CHINESE_SHARE`` of its characters)."""
    return cjk_share(lexical_text(doc)) > CHINESE_SHARE


def lexical_text(doc: Document) -> str:
    """The words BM25 sees: title, text and statements."""
    return "\n".join([doc.title, doc.text, *doc.statements])


def as_channels(vectors: Vectors) -> dict[str, np.ndarray]:
    """``vectors`` as {encoder: matrix}; a bare matrix is the primary encoder's."""
    if isinstance(vectors, Mapping):
        return {name: np.asarray(v, dtype=np.float32) for name, v in vectors.items()}
    return {PRIMARY: np.asarray(vectors, dtype=np.float32)}


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


class SearchSpace:
    """Documents of one kind with their chunk vectors (FAISS) and words (BM25).

    A space holds one vector index per encoder it was made with: the primary (English) model's
    always, the multilingual model's when ``multilingual_id`` names it. A ranking whose query or
    candidates hold Chinese then reads every candidate with the multilingual encoder (one
    encoder per ranking: mixing two encoders' similarities buries the weaker one's candidates);
    an all-English ranking keeps the primary model. ``upsert`` takes vectors computed elsewhere
    (the ``Embedder``); it never encodes.
    """

    def __init__(
        self,
        config: EngineConfig | None = None,
        *,
        model_id: str = "",
        dimension: int | None = None,
        terms: dict[str, tuple[float, tuple[str, ...]]] | None = None,
        multilingual_id: str | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.model_id = model_id
        self.model_ids = {PRIMARY: model_id}
        if multilingual_id is not None:
            self.model_ids[MULTILINGUAL] = multilingual_id
        # None: the default terms of each encoder (TERMS, MULTILINGUAL_TERMS).
        self.terms = None if terms is None else dict(terms)
        self._docs: dict[DocId, Document] = {}
        self._chunks: dict[DocId, list[Chunk]] = {}
        self._chunk_ids: dict[DocId, np.ndarray] = {}
        self._chunk_owner: dict[int, DocId] = {}
        self._chinese: set[DocId] = set()
        self._next_chunk_id = 0
        self._lexical = LexicalIndex(k1=self.config.bm25_k1, b=self.config.bm25_b)
        # The English readings of the documents, for the lexical side of bilingual rankings.
        self._readings = (
            LexicalIndex(k1=self.config.bm25_k1, b=self.config.bm25_b)
            if multilingual_id is not None
            else None
        )
        self._indexes: dict[str, VectorIndex] = {}
        # Writers and readers may share a space across threads (a web process's workers).
        self._lock = threading.RLock()
        if dimension is not None:
            self._indexes[PRIMARY] = self._new_index(PRIMARY, dimension)
        if multilingual_id is not None:
            self._indexes[MULTILINGUAL] = self._new_index(MULTILINGUAL, MULTILINGUAL_DIMENSION)

    def _new_index(self, encoder: str, dimension: int) -> VectorIndex:
        return VectorIndex(dimension, self.model_ids[encoder], **_index_options(self.config))

    # -- contents ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    @property
    def bilingual(self) -> bool:
        """Whether this space holds multilingual vectors beside the primary ones."""
        return MULTILINGUAL in self.model_ids

    def get(self, doc_id: DocId) -> Document:
        return self._docs[doc_id]

    def chunks_of(self, doc_id: DocId) -> list[Chunk]:
        return self._chunks[doc_id]

    def vectors_of(self, doc_id: DocId, encoder: str = PRIMARY) -> np.ndarray:
        return self._indexes[encoder].reconstruct(self._chunk_ids[doc_id])

    def is_chinese(self, doc_id: DocId) -> bool:
        return doc_id in self._chinese

    def idf(self, term: str) -> float:
        """Inverse document frequency of a lexical token in this space (for evidence)."""
        return self._lexical.idf(term)

    @property
    def vector_index(self) -> VectorIndex | None:
        """The primary encoder's index."""
        return self._indexes.get(PRIMARY)

    def upsert(self, doc: Document, chunks: list[Chunk], vectors: Vectors) -> None:
        """Put ``doc`` with its chunks and their vectors (one row per chunk, for each encoder of
        the space), replacing its previous state."""
        self.upsert_many([(doc, chunks, vectors)])

    def upsert_many(self, items: Iterable[tuple[Document, list[Chunk], Vectors]]) -> None:
        """``upsert`` for many documents with one index write (building a space from storage).

        Vectors of an encoder the space was not made with are ignored (a space still serving
        the primary vectors while the multilingual ones are being computed)."""
        batch: dict[DocId, tuple[Document, list[Chunk], dict[str, np.ndarray]]] = {}
        for doc, chunks, vectors in items:
            channels = as_channels(vectors)
            if chunks and set(self.model_ids) - set(channels):
                missing = sorted(set(self.model_ids) - set(channels))
                raise ValueError(f"document {doc.id!r} has no {', '.join(missing)} vectors")
            kept = {name: channels[name] for name in self.model_ids} if chunks else {}
            for name, matrix in kept.items():
                if matrix.ndim != 2 or len(matrix) != len(chunks):
                    raise ValueError(
                        f"{len(chunks)} chunks but {name} vectors of shape {matrix.shape}"
                    )
            batch[doc.id] = (doc, list(chunks), kept)  # a repeated id: the last one wins
        with self._lock:
            for encoder in self.model_ids:
                dimensions = {v[encoder].shape[1] for _, _, v in batch.values() if v}
                if encoder in self._indexes and dimensions:
                    dimensions.add(self._indexes[encoder].dimension)
                if len(dimensions) > 1:
                    raise IndexMismatchError(
                        f"{encoder} vectors of dimensions {sorted(dimensions)} in one space"
                    )
                if encoder not in self._indexes and dimensions:
                    self._indexes[encoder] = self._new_index(encoder, dimensions.pop())
            for doc_id in batch:
                self._remove(doc_id)
            all_ids: list[np.ndarray] = []
            all_vectors: dict[str, list[np.ndarray]] = {name: [] for name in self.model_ids}
            for doc, chunks, vectors in batch.values():
                start = self._next_chunk_id
                ids = np.arange(start, start + len(chunks), dtype=np.int64)
                self._next_chunk_id += len(chunks)
                self._register(doc, chunks, ids)
                if len(chunks):
                    all_ids.append(ids)
                    for name, matrix in vectors.items():
                        all_vectors[name].append(matrix)
            if all_ids:
                ids = np.concatenate(all_ids)
                for name, matrices in all_vectors.items():
                    self._indexes[name].upsert(ids, np.vstack(matrices))

    def _register(self, doc: Document, chunks: list[Chunk], ids: np.ndarray) -> None:
        """Everything but the vectors: the document, its chunks and their ids, its words."""
        self._docs[doc.id] = doc
        self._chunks[doc.id] = chunks
        self._chunk_ids[doc.id] = ids
        self._chunk_owner.update(dict.fromkeys(ids.tolist(), doc.id))
        self._lexical.add(doc.id, lexical_text(doc))
        if self._readings is not None:
            self._readings.add(doc.id, gloss(lexical_text(doc)))
        if is_chinese(doc):
            self._chinese.add(doc.id)

    def remove(self, doc_id: DocId) -> None:
        with self._lock:
            self._remove(doc_id)

    def _remove(self, doc_id: DocId) -> None:
        if doc_id not in self._docs:
            return
        ids = self._chunk_ids.pop(doc_id)
        for index in self._indexes.values():
            index.remove(ids.tolist())
        for chunk_id in ids.tolist():
            del self._chunk_owner[chunk_id]
        del self._docs[doc_id]
        del self._chunks[doc_id]
        self._chinese.discard(doc_id)
        self._lexical.remove(doc_id)
        if self._readings is not None:
            self._readings.remove(doc_id)

    # -- ranking -----------------------------------------------------------------------------

    def search(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: Vectors,
        k: int,
        allow_ids: set[DocId] | None = None,
        *,
        evidenced: bool = False,
    ) -> list[ScoredDoc]:
        """The ``k`` best documents for ``query`` (optionally only among ``allow_ids``), best
        first, each with its score and raw feature values as components.

        ``evidenced``: only documents with the evidence a search result needs (``evidence_mask``
        at the encoder's search floor), the ``k`` best of those, so a query that nothing fits
        finds nothing. Scores are the same either way: the whole pool is ranked, then masked."""
        ranked = self._ranked(
            query,
            query_chunks,
            query_vectors,
            allow_ids,
            depth=None if evidenced else k,
            purpose="search" if evidenced else None,
            limit=k,
        )
        return [hit for _, hit in ranked]

    def proposals(
        self, query: Document, query_chunks: list[Chunk], query_vectors: Vectors, k: int
    ) -> list[tuple[int, ScoredDoc]]:
        """Of the ``k`` best documents for ``query``, those with the evidence a proposal needs
        (``evidence_mask`` at the encoder's proposal floor), each with its rank among all."""
        return self._ranked(query, query_chunks, query_vectors, None, depth=k, purpose="proposal")

    def _ranked(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: Vectors,
        allow_ids: set[DocId] | None,
        *,
        depth: int | None,
        purpose: str | None,
        limit: int | None = None,
    ) -> list[tuple[int, ScoredDoc]]:
        """Of the ``depth`` best candidates (None: all), best first, with their 1-based rank
        among all; with a ``purpose`` ("proposal" or "search"), only those that
        ``evidence_mask`` keeps at that floor; at most ``limit`` of them (None: all)."""
        pool = self.features(query, query_chunks, query_vectors, allow_ids)
        candidates, features = pool.candidates, pool.features
        if not candidates:
            return []
        scores = combine(features, self._terms_for(query, pool.encoder), pool.groups)
        order = _order(scores)[:depth]
        ranks = np.arange(1, len(order) + 1)
        if purpose is not None:
            kept = self.evidence_mask(
                query,
                [candidates[i] for i in order],
                {name: values[order] for name, values in features.items()},
                encoder=pool.encoder,
                floor=self.config.floor(purpose, pool.encoder),
            )
            order, ranks = order[kept], ranks[kept]
        order, ranks = order[:limit], ranks[:limit]
        return [
            (int(position), _scored(candidates, scores, features, i))
            for position, i in zip(ranks.tolist(), order.tolist(), strict=True)
        ]

    def proposal_standing(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: Vectors,
        doc_id: DocId,
        *,
        needs_evidence: bool = True,
    ) -> tuple[int, ScoredDoc] | None:
        """Where ``doc_id`` ranks for ``query`` (1-based, ties as ``rank`` breaks them) and its
        hit; None when it lacks the evidence a proposal needs (unless not ``needs_evidence``:
        an application is ranked whatever its evidence) or is not in this space."""
        if doc_id not in self._docs:
            return None
        pool = self.features(query, query_chunks, query_vectors, always=doc_id)
        candidates, features = pool.candidates, pool.features
        i = candidates.index(doc_id)
        own = {name: values[i : i + 1] for name, values in features.items()}
        if needs_evidence and not self.evidence_mask(query, [doc_id], own, encoder=pool.encoder)[0]:
            return None
        scores = combine(features, self._terms_for(query, pool.encoder), pool.groups)
        position = 1 + int((scores > scores[i]).sum()) + int((scores[:i] == scores[i]).sum())
        components = {name: float(values[i]) for name, values in features.items()}
        return position, ScoredDoc(doc_id, float(scores[i]), components)

    def evidence_mask(
        self,
        query: Document,
        candidates: list[DocId],
        features: Mapping[str, np.ndarray],
        *,
        encoder: str = PRIMARY,
        floor: float | None = None,
    ) -> np.ndarray:
        """For each candidate of a ranking for ``query`` whose dense features came from
        ``encoder``: whether it has absolute evidence, a dense similarity at ``floor`` or above
        (None: the encoder's proposal floor, what a proposal needs). Where an English-only model
        cannot read one side (Chinese text), its cosines are noise: the pair needs
        ``MIN_SHARED_TERMS`` distinctive (non-numeric) words in common instead, or all of the
        query's when it has fewer (a one-word search)."""
        floor = self.config.floor("proposal", encoder) if floor is None else floor
        kept = np.asarray(best_dense(features) >= floor)
        if self._reads_chinese(encoder):
            return kept
        unreadable = (
            np.ones(len(candidates), dtype=bool)
            if is_chinese(query)
            else np.fromiter((d in self._chinese for d in candidates), bool, len(candidates))
        )
        if unreadable.any():
            words = {t for t in tokenize(lexical_text(query)) if not t.isdigit()}
            needed = max(1, min(MIN_SHARED_TERMS, len(words)))
            for i in np.flatnonzero(unreadable):
                shared = words.intersection(self._lexical.tokens(candidates[i]))
                kept[i] = len(shared) >= needed
        return kept

    def _reads_chinese(self, encoder: str) -> bool:
        return encoder == MULTILINGUAL or self.config.multilingual_model

    def _terms_for(self, query: Document, encoder: str) -> dict[str, tuple[float, tuple[str, ...]]]:
        """The ranker's terms; for a Chinese query an English-only model's dense terms are
        noise, so only the lexical one counts."""
        terms = self.terms or default_terms(encoder)
        if not self._reads_chinese(encoder) and is_chinese(query):
            return {name: term for name, term in terms.items() if set(term[1]) <= LEXICAL_FEATURES}
        return terms

    def encoder_for(self, query: Document, allowed: Iterable[DocId], query_vectors: Vectors) -> str:
        """The encoder of a ranking: the multilingual one when the space has it, the query
        brings its vectors and the query or an allowed candidate is Chinese."""
        if not self.bilingual or MULTILINGUAL not in as_channels(query_vectors):
            return PRIMARY
        if is_chinese(query) or not self._chinese.isdisjoint(allowed):
            return MULTILINGUAL
        return PRIMARY

    def features(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: Vectors,
        allow_ids: set[DocId] | None = None,
        *,
        always: DocId | None = None,
    ) -> CandidatePool:
        """Candidate pool for ``query`` and each raw feature over it.

        The pool is every allowed document when there are at most ``candidate_pool`` of them,
        else the union of the ``retrieval_depth`` best by BM25 and by dense chunk similarity,
        and ``always`` (a document whose standing is asked for, wherever it falls).
        """
        with self._lock:
            return self._features(query, query_chunks, query_vectors, allow_ids, always)

    def _features(
        self,
        query: Document,
        query_chunks: list[Chunk],
        query_vectors: Vectors,
        allow_ids: set[DocId] | None,
        always: DocId | None = None,
    ) -> CandidatePool:
        allowed: list[DocId] = (
            list(self._docs) if allow_ids is None else [d for d in allow_ids if d in self._docs]
        )
        if not allowed:
            return CandidatePool([], {name: np.zeros(0, dtype=np.float32) for name in FEATURES})
        encoder = self.encoder_for(query, allowed, query_vectors)
        channel = as_channels(query_vectors).get(encoder)
        if channel is None:
            channel = np.zeros((len(query_chunks), 0), dtype=np.float32)
        vectors = channel.reshape(len(query_chunks), -1)
        keys, lexical = self._lexical.scores(lexical_text(query), allow=allowed)
        if len(allowed) <= self.config.candidate_pool:
            pool = keys
        else:
            top = np.argsort(-lexical, kind="stable")[: self.config.retrieval_depth]
            pool_set: dict[Hashable, None] = dict.fromkeys(keys[i] for i in top)
            pool_set.update(dict.fromkeys(self._dense_candidates(encoder, vectors, allowed)))
            if always in self._docs:
                pool_set[always] = None
            pool = list(pool_set)
        row = {key: i for i, key in enumerate(keys)}
        bm25 = lexical[[row[d] for d in pool]]
        dense = self._dense_features(encoder, query_chunks, vectors, pool)
        chinese = np.fromiter((d in self._chinese for d in pool), dtype=bool, count=len(pool))
        lexical_pool = bm25
        if encoder == MULTILINGUAL:
            lexical_pool = self._bilingual_lexical(query, pool, bm25, chinese == is_chinese(query))
        elif not self.config.multilingual_model and chinese.any() and not chinese.all():
            # Neutral dense evidence (the pool's mean) for candidates the model cannot read.
            for values in dense.values():
                values[chinese] = values[~chinese].mean()
        features = {"lexical": lexical_pool, "bm25": bm25, **dense}
        if encoder == MULTILINGUAL:
            primary = as_channels(query_vectors).get(PRIMARY)
            if primary is not None:
                reading = self._dense_features(
                    PRIMARY, query_chunks, primary.reshape(len(query_chunks), -1), pool
                )
                features.update(zip(READING_FEATURES, reading.values(), strict=True))
            feedback = self._feedback(pool, features, chinese)
            # In a pool of both languages, candidates in the other language than the query: their
            # feedback weighs more (their first-pass evidence is across languages).
            across = (chinese != is_chinese(query)) & chinese.any() & ~chinese.all()
            features["feedback"] = np.where(across, 0.0, feedback).astype(np.float32)
            features["feedback_across"] = np.where(across, feedback, 0.0).astype(np.float32)
        groups = chinese if encoder == MULTILINGUAL else None
        return CandidatePool(list(pool), features, encoder, groups)

    def _feedback(
        self, pool: list[DocId], features: dict[str, np.ndarray], chinese: np.ndarray
    ) -> np.ndarray:
        """Pseudo-relevance feedback in each language of a bilingual ranking: how alike each
        candidate is to the ``FEEDBACK_DOCUMENTS`` best of its own language after a first pass,
        read by the encoder that reads that language best (the primary model for English, the
        multilingual one for Chinese), each of the best documents counting alike whatever its
        number of chunks. Two documents in one language compare better than a query and a
        candidate across languages, so the best few carry the query over to the rest. Chinese
        candidates also get BM25 over jieba words with the best few as the query, where it is
        higher: the multilingual encoder reads Chinese less sharply than the primary model reads
        English, and Chinese words are as telling as English ones (BM25 alone: zh -> zh Recall@10
        on the bilingual dev pairs equals en -> en); the same for English candidates lowered them
        (zh -> en 0.80x, docs/matching.md)."""
        terms = {
            k: t
            for k, t in (self.terms or MULTILINGUAL_TERMS).items()
            if k not in ("feedback", "feedback_across")
        }
        order = _order(combine(features, terms, chinese))
        feedback = np.zeros(len(pool), dtype=np.float32)
        for language in (True, False):
            members = chinese == language
            if not members.any():
                continue
            # A document without chunks (its text all control characters) has nothing to say.
            best = [pool[i] for i in order if members[i] and self._chunks[pool[i]]][
                :FEEDBACK_DOCUMENTS
            ]
            encoder = MULTILINGUAL if language else PRIMARY
            chunks = [chunk for doc_id in best for chunk in self._chunks[doc_id]]
            if not chunks:
                continue
            vectors = np.vstack([self.vectors_of(doc_id, encoder) for doc_id in best])
            # Each of the best documents counts alike, however many chunks it has.
            weights = np.concatenate(
                [np.full(len(self._chunks[d]), 1 / len(self._chunks[d])) for d in best]
            )
            alike = self._dense_features(encoder, chunks, vectors, pool, weights)
            standing = np.max(
                [
                    _grouped_zscore(alike[name], chinese)
                    for name in ("dense_statement", "dense_text")
                ],
                axis=0,
            )
            if language:  # Chinese: also BM25 over jieba words, the best three as the query
                _, lexical = self._lexical.scores(
                    "\n".join(lexical_text(self._docs[doc_id]) for doc_id in best), allow=pool
                )
                standing = np.maximum(standing, _grouped_zscore(lexical, chinese))
            feedback[members] = standing[members]
        return feedback

    def _bilingual_lexical(
        self, query: Document, pool: list[DocId], bm25: np.ndarray, same_language: np.ndarray
    ) -> np.ndarray:
        """Lexical evidence across languages: bm25 for a candidate in the query's language, BM25
        of the English readings of both (``glossary.gloss``) for one in the other language."""
        assert self._readings is not None
        keys, scores = self._readings.scores(gloss(lexical_text(query)), allow=pool)
        row = {key: i for i, key in enumerate(keys)}
        readings = scores[[row[d] for d in pool]]
        return np.where(same_language, bm25, readings).astype(np.float32)

    def _dense_candidates(
        self, encoder: str, query_vectors: np.ndarray, allowed: list[DocId]
    ) -> list[DocId]:
        index = self._indexes.get(encoder)
        if index is None or len(query_vectors) == 0:
            return []
        depth = self.config.retrieval_depth
        allow_chunks = None
        if len(allowed) < len(self._docs):
            allow_chunks = np.concatenate([self._chunk_ids[d] for d in allowed])
        # Documents own several chunks: twice as many chunk hits leave room for repeats.
        scores, ids = index.search(query_vectors, 2 * depth, allow_chunks)
        best: dict[DocId, float] = {}
        for score, chunk_id in zip(scores.ravel().tolist(), ids.ravel().tolist(), strict=True):
            if chunk_id < 0:
                continue
            owner = self._chunk_owner[chunk_id]
            if score > best.get(owner, -np.inf):
                best[owner] = score
        return sorted(best, key=best.__getitem__, reverse=True)[:depth]

    def _dense_features(
        self,
        encoder: str,
        query_chunks: list[Chunk],
        query_vectors: np.ndarray,
        pool: list[DocId],
        weights: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """``weights``: of the query chunks in the means over them (None: equal)."""
        n = len(pool)
        index = self._indexes.get(encoder)
        if index is None or len(query_vectors) == 0 or query_vectors.shape[1] == 0 or n == 0:
            return {name: np.zeros(n, np.float32) for name in DENSE_FEATURES}
        ids = [self._chunk_ids[d] for d in pool]
        vectors = index.reconstruct(np.concatenate(ids))
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
        text = np.where(
            has_body,
            np.average(body_soft, axis=0, weights=weights),
            np.average(statement_max, axis=0, weights=weights),
        )
        statement = np.where(
            has_statements,
            np.average(statement_max, axis=0, weights=weights),
            np.average(body_max, axis=0, weights=weights),
        )
        title = np.where(
            has_statements, statement_max[is_title].max(axis=0), body_max[is_title].max(axis=0)
        )
        return {
            name: np.nan_to_num(values, neginf=0.0).astype(np.float32)
            for name, values in zip(DENSE_FEATURES, (text, statement, title), strict=True)
        }

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: str | Path) -> dict:
        """Write each encoder's vector index with its manifest (the multilingual one in a
        sub-folder), then the documents and chunk ids; returns the primary manifest."""
        if PRIMARY not in self._indexes:
            raise ValueError("an empty space has no vectors to save")
        directory = Path(directory)
        manifest = self._indexes[PRIMARY].save(directory)
        if MULTILINGUAL in self._indexes:
            self._indexes[MULTILINGUAL].save(directory / MULTILINGUAL)
        state = {
            "model": self.model_id,
            "models": self.model_ids,
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
        multilingual_id: str | None = None,
    ) -> SearchSpace:
        """A space saved by ``save``; raises ``IndexMismatchError`` when it does not fit (other
        models, or another set of encoders)."""
        config = config or EngineConfig()
        directory = Path(directory)
        space = cls(config, model_id=model_id, multilingual_id=multilingual_id)
        options = _index_options(config)
        space._indexes[PRIMARY] = VectorIndex.load(
            directory, model_id=model_id, dimension=dimension, **options
        )
        if multilingual_id is not None:
            space._indexes[MULTILINGUAL] = VectorIndex.load(
                directory / MULTILINGUAL,
                model_id=multilingual_id,
                dimension=MULTILINGUAL_DIMENSION,
                **options,
            )
        try:
            state = json.loads((directory / "documents.json").read_text())
        except (OSError, ValueError) as exc:
            raise IndexMismatchError(f"no readable documents.json in {directory}") from exc
        if state.get("models", {PRIMARY: state.get("model")}) != space.model_ids:
            raise IndexMismatchError(f"{directory} was saved with encoders {state.get('models')}")
        for item in state["documents"]:
            doc = Document(item["id"], item["title"], item["text"], tuple(item["statements"]))
            ids = np.asarray(item["chunk_ids"], dtype=np.int64)
            if not all(int(i) in index for index in space._indexes.values() for i in ids):
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
    groups: np.ndarray | None = None,
) -> list[ScoredDoc]:
    """The ``k`` best candidates by ``combine``; ties keep pool order."""
    if not candidates:
        return []
    scores = combine(features, terms, groups)
    return [_scored(candidates, scores, features, i) for i in _order(scores)[:k].tolist()]


def _order(scores: np.ndarray) -> np.ndarray:
    """Positions by score, best first; ties keep pool order."""
    return np.lexsort((np.arange(len(scores)), -scores))


def _scored(
    candidates: list[DocId], scores: np.ndarray, features: dict[str, np.ndarray], i: int
) -> ScoredDoc:
    return ScoredDoc(candidates[i], float(scores[i]), {n: float(f[i]) for n, f in features.items()})


def _grouped_zscore(values: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
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
    terms: dict[str, tuple[float, tuple[str, ...]]],
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Sum over terms of weight x the best z-score among the term's features.

    z-scores are taken over the pool; with ``groups`` (a bilingual pool's two languages), those
    of features whose scale depends on the language (``PER_LANGUAGE``: BM25 and the English
    readings) within each language, so that neither language buries the other. The
    multilingual encoder reads both languages in one space: its features stay pooled, so the
    best of a poor lot in one language does not rise with them."""
    z = {
        name: _grouped_zscore(values, groups if name in PER_LANGUAGE else None)
        for name, values in features.items()
    }
    total = np.zeros(len(next(iter(features.values()))), dtype=np.float32)
    for weight, names in terms.values():
        present = [z[name] for name in names if name in z]  # reading_*: bilingual rankings only
        if present:
            total += weight * np.max(present, axis=0)
    return total
