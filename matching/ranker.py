"""SearchSpace: one side of the market in memory, ranked by dense + lexical evidence.

The same class ranks challenge -> profiles and profile -> challenges: a query document is scored
against candidate documents through the chunk vectors of both and through BM25 over their words.
The space composes the pieces: the documents (``store``), their words (``lexical``), their
vectors and dense features (``dense``), the maths of a ranking (``features``), what to do about
Chinese and the evidence floors (``policy``), and the files (``persistence``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from matching.config import EngineConfig
from matching.dense import dense_candidates, dense_features, index_options
from matching.documents import Chunk, DocId, Document, ScoredDoc
from matching.errors import IndexMismatchError
from matching.features import (
    FEATURES,
    MULTILINGUAL_TERMS,
    READING_FEATURES,
    CandidatePool,
    Terms,
    combine,
    default_terms,
    grouped_zscore,
    order,
    scored,
)
from matching.index import VectorIndex
from matching.lexical import SpaceWords, lexical_text
from matching.multilingual import DIMENSION as MULTILINGUAL_DIMENSION
from matching.multilingual import MULTILINGUAL, PRIMARY
from matching.persistence import load_space, save_space
from matching.policy import evidence_mask, is_chinese, terms_for
from matching.store import DocumentStore, Encoded, Vectors

# Pseudo-relevance feedback of a bilingual ranking (``SearchSpace._feedback``): how many of the
# first pass's best documents of each language stand in as a second query for that language.
FEEDBACK_DOCUMENTS = 3


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
        terms: Terms | None = None,
        multilingual_id: str | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.model_id = model_id
        self.model_ids = {PRIMARY: model_id}
        if multilingual_id is not None:
            self.model_ids[MULTILINGUAL] = multilingual_id
        # None: the default terms of each encoder (TERMS, MULTILINGUAL_TERMS).
        self.terms = None if terms is None else dict(terms)
        self._store = DocumentStore()
        # The English readings of the documents serve the lexical side of bilingual rankings.
        self._words = SpaceWords(
            k1=self.config.bm25_k1, b=self.config.bm25_b, readings=multilingual_id is not None
        )
        self._indexes: dict[str, VectorIndex] = {}
        # Writers and readers may share a space across threads (a web process's workers).
        self._lock = threading.RLock()
        if dimension is not None:
            self._indexes[PRIMARY] = self._new_index(PRIMARY, dimension)
        if multilingual_id is not None:
            self._indexes[MULTILINGUAL] = self._new_index(MULTILINGUAL, MULTILINGUAL_DIMENSION)

    def _new_index(self, encoder: str, dimension: int) -> VectorIndex:
        return VectorIndex(dimension, self.model_ids[encoder], **index_options(self.config))

    # -- contents ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._store

    @property
    def bilingual(self) -> bool:
        """Whether this space holds multilingual vectors beside the primary ones."""
        return MULTILINGUAL in self.model_ids

    def get(self, doc_id: DocId) -> Document:
        return self._store.get(doc_id)

    def chunks_of(self, doc_id: DocId) -> list[Chunk]:
        return self._store.chunks_of(doc_id)

    def vectors_of(self, doc_id: DocId, encoder: str = PRIMARY) -> np.ndarray:
        return self._indexes[encoder].reconstruct(self._store.chunk_ids_of(doc_id))

    def is_chinese(self, doc_id: DocId) -> bool:
        return self._store.is_chinese(doc_id)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a lexical token in this space (for evidence)."""
        return self._words.words.idf(term)

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
        batch: dict[DocId, Encoded] = {}
        for doc, chunks, vectors in items:
            batch[doc.id] = self._admit(Encoded.of(doc, chunks, vectors))  # last one wins
        with self._lock:
            self._check_dimensions(batch.values())
            for doc_id in batch:
                self._remove(doc_id)
            all_ids: list[np.ndarray] = []
            all_vectors: dict[str, list[np.ndarray]] = {name: [] for name in self.model_ids}
            for item in batch.values():
                ids = self._store.new_chunk_ids(len(item.chunks))
                self._store.register(item.document, item.chunks, ids)
                self._words.add(item.document)
                if len(item.chunks):
                    all_ids.append(ids)
                    for name, matrix in item.vectors.items():
                        all_vectors[name].append(matrix)
            if all_ids:
                ids = np.concatenate(all_ids)
                for name, matrices in all_vectors.items():
                    self._indexes[name].upsert(ids, np.vstack(matrices))

    def _admit(self, item: Encoded) -> Encoded:
        """``item`` with the vectors of this space's encoders only (none without chunks), or
        ``ValueError`` when one is missing or does not have a row per chunk."""
        if not item.chunks:
            return Encoded(item.document, [], {})
        missing = sorted(set(self.model_ids) - set(item.vectors))
        if missing:
            raise ValueError(f"document {item.document.id!r} has no {', '.join(missing)} vectors")
        kept = {name: item.vectors[name] for name in self.model_ids}
        for name, matrix in kept.items():
            if matrix.ndim != 2 or len(matrix) != len(item.chunks):
                raise ValueError(
                    f"{len(item.chunks)} chunks but {name} vectors of shape {matrix.shape}"
                )
        return Encoded(item.document, item.chunks, kept)

    def _check_dimensions(self, items: Iterable[Encoded]) -> None:
        """One dimension per encoder across ``items`` and its index, made on first vectors."""
        items = list(items)
        for encoder in self.model_ids:
            dimensions = {item.vectors[encoder].shape[1] for item in items if item.vectors}
            if encoder in self._indexes and dimensions:
                dimensions.add(self._indexes[encoder].dimension)
            if len(dimensions) > 1:
                raise IndexMismatchError(
                    f"{encoder} vectors of dimensions {sorted(dimensions)} in one space"
                )
            if encoder not in self._indexes and dimensions:
                self._indexes[encoder] = self._new_index(encoder, dimensions.pop())

    def remove(self, doc_id: DocId) -> None:
        with self._lock:
            self._remove(doc_id)

    def _remove(self, doc_id: DocId) -> None:
        ids = self._store.remove(doc_id)
        if ids is None:
            return
        for index in self._indexes.values():
            index.remove(ids)
        self._words.remove(doc_id)

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
            Encoded.of(query, query_chunks, query_vectors),
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
        query_item = Encoded.of(query, query_chunks, query_vectors)
        return self._ranked(query_item, None, depth=k, purpose="proposal")

    def _ranked(
        self,
        query: Encoded,
        allow_ids: set[DocId] | None,
        *,
        depth: int | None,
        purpose: str | None,
        limit: int | None = None,
    ) -> list[tuple[int, ScoredDoc]]:
        """Of the ``depth`` best candidates (None: all), best first, with their 1-based rank
        among all; with a ``purpose`` ("proposal" or "search"), only those that
        ``evidence_mask`` keeps at that floor; at most ``limit`` of them (None: all)."""
        with self._lock:
            pool = self._features(query, allow_ids)
        candidates, features = pool.candidates, pool.features
        if not candidates:
            return []
        scores = combine(features, self._terms_for(query.document, pool.encoder), pool.groups)
        best = order(scores)[:depth]
        ranks = np.arange(1, len(best) + 1)
        if purpose is not None:
            kept = self.evidence_mask(
                query.document,
                [candidates[i] for i in best],
                {name: values[best] for name, values in features.items()},
                encoder=pool.encoder,
                floor=self.config.floor(purpose, pool.encoder),
            )
            best, ranks = best[kept], ranks[kept]
        best, ranks = best[:limit], ranks[:limit]
        return [
            (int(position), scored(candidates, scores, features, i))
            for position, i in zip(ranks.tolist(), best.tolist(), strict=True)
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
        if doc_id not in self._store:
            return None
        with self._lock:
            pool = self._features(Encoded.of(query, query_chunks, query_vectors), None, doc_id)
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
        ``policy.MIN_SHARED_TERMS`` distinctive (non-numeric) words in common instead, or all of
        the query's when it has fewer (a one-word search)."""
        return evidence_mask(
            self.config,
            query,
            features,
            encoder=encoder,
            floor=self.config.floor("proposal", encoder) if floor is None else floor,
            unreadable=lambda: self._store.chinese_mask(candidates),
            words_of=lambda i: self._words.words.tokens(candidates[i]),
        )

    def _terms_for(self, query: Document, encoder: str) -> Terms:
        return terms_for(self.config, self.terms or default_terms(encoder), query, encoder)

    def encoder_for(self, query: Document, allowed: Iterable[DocId], query_vectors: Vectors) -> str:
        """The encoder of a ranking: the multilingual one when the space has it, the query
        brings its vectors and the query or an allowed candidate is Chinese."""
        return self._encoder_for(Encoded.of(query, [], query_vectors), list(allowed))

    def _encoder_for(self, query: Encoded, allowed: list[DocId]) -> str:
        if not self.bilingual or MULTILINGUAL not in query.vectors:
            return PRIMARY
        if is_chinese(query.document) or self._store.any_chinese(allowed):
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
            return self._features(Encoded.of(query, query_chunks, query_vectors), allow_ids, always)

    def _features(
        self, query: Encoded, allow_ids: set[DocId] | None, always: DocId | None = None
    ) -> CandidatePool:
        store = self._store
        allowed: list[DocId] = (
            list(store) if allow_ids is None else [d for d in allow_ids if d in store]
        )
        if not allowed:
            return CandidatePool([], {name: np.zeros(0, dtype=np.float32) for name in FEATURES})
        encoder = self._encoder_for(query, allowed)
        vectors = query.matrix(encoder)
        keys, lexical = self._words.words.scores(lexical_text(query.document), allow=allowed)
        if len(allowed) <= self.config.candidate_pool:
            pool = keys
        else:
            top = np.argsort(-lexical, kind="stable")[: self.config.retrieval_depth]
            pool_set: dict[DocId, None] = dict.fromkeys(keys[i] for i in top)
            dense_best = dense_candidates(
                self._indexes.get(encoder), store, vectors, allowed, self.config.retrieval_depth
            )
            pool_set.update(dict.fromkeys(dense_best))
            if always is not None and always in store:
                pool_set[always] = None
            pool = list(pool_set)
        row = {key: i for i, key in enumerate(keys)}
        bm25 = lexical[[row[d] for d in pool]]
        index = self._indexes.get(encoder)
        dense = dense_features(index, store, query.chunks, vectors, pool)
        chinese = store.chinese_mask(pool)
        lexical_pool = bm25
        if encoder == MULTILINGUAL:
            # Across languages, BM25 of the English readings of both sides.
            same_language = chinese == is_chinese(query.document)
            readings = self._words.reading_scores(query.document, pool)
            lexical_pool = np.where(same_language, bm25, readings).astype(np.float32)
        elif not self.config.multilingual_model and chinese.any() and not chinese.all():
            # Neutral dense evidence (the pool's mean) for candidates the model cannot read.
            for values in dense.values():
                values[chinese] = values[~chinese].mean()
        features = {"lexical": lexical_pool, "bm25": bm25, **dense}
        if encoder == MULTILINGUAL:
            if PRIMARY in query.vectors:
                reading = dense_features(
                    self._indexes.get(PRIMARY), store, query.chunks, query.matrix(PRIMARY), pool
                )
                features.update(zip(READING_FEATURES, reading.values(), strict=True))
            feedback = self._feedback(pool, features, chinese)
            # In a pool of both languages, candidates in the other language than the query: their
            # feedback weighs more (their first-pass evidence is across languages).
            across = (chinese != is_chinese(query.document)) & chinese.any() & ~chinese.all()
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
        store = self._store
        terms = {
            k: t
            for k, t in (self.terms or MULTILINGUAL_TERMS).items()
            if k not in ("feedback", "feedback_across")
        }
        first_pass = order(combine(features, terms, chinese))
        feedback = np.zeros(len(pool), dtype=np.float32)
        for language in (True, False):
            members = chinese == language
            if not members.any():
                continue
            # A document without chunks (its text all control characters) has nothing to say.
            best = [pool[i] for i in first_pass if members[i] and store.chunks_of(pool[i])][
                :FEEDBACK_DOCUMENTS
            ]
            encoder = MULTILINGUAL if language else PRIMARY
            chunks = [chunk for doc_id in best for chunk in store.chunks_of(doc_id)]
            if not chunks:
                continue
            vectors = np.vstack([self.vectors_of(doc_id, encoder) for doc_id in best])
            # Each of the best documents counts alike, however many chunks it has.
            sizes = [len(store.chunks_of(d)) for d in best]
            weights = np.concatenate([np.full(size, 1 / size) for size in sizes])
            index = self._indexes.get(encoder)
            alike = dense_features(index, store, chunks, vectors, pool, weights)
            standing = np.max(
                [grouped_zscore(alike[n], chinese) for n in ("dense_statement", "dense_text")],
                axis=0,
            )
            if language:  # Chinese: also BM25 over jieba words, the best three as the query
                _, lexical = self._words.words.scores(
                    "\n".join(lexical_text(store.get(doc_id)) for doc_id in best), allow=pool
                )
                standing = np.maximum(standing, grouped_zscore(lexical, chinese))
            feedback[members] = standing[members]
        return feedback

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: str | Path) -> dict:
        """Write each encoder's vector index with its manifest (the multilingual one in a
        sub-folder), then the documents and chunk ids; returns the primary manifest."""
        return save_space(Path(directory), self.model_ids, self._indexes, self._store)

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
        space = cls(config or EngineConfig(), model_id=model_id, multilingual_id=multilingual_id)
        space._indexes, space._store = load_space(
            Path(directory), space.config, space.model_ids, dimension
        )
        for doc in space._store.documents():
            space._words.add(doc)
        return space
