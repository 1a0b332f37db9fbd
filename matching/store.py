"""The documents of a space: each with its chunks, the ids of their vectors and its language.

The store keeps no vectors and no words (``matching.dense``, ``matching.lexical``): it is what
the vector and lexical indexes are keyed by.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from matching.documents import Chunk, DocId, Document
from matching.multilingual import PRIMARY
from matching.policy import is_chinese

# A document's chunk vectors: one matrix per encoder (``PRIMARY``, ``MULTILINGUAL``), rows in
# chunk order; a bare matrix is the primary encoder's.
Vectors = np.ndarray | Mapping[str, np.ndarray]


def as_channels(vectors: Vectors) -> dict[str, np.ndarray]:
    """``vectors`` as {encoder: matrix}; a bare matrix is the primary encoder's."""
    if isinstance(vectors, Mapping):
        return {name: np.asarray(v, dtype=np.float32) for name, v in vectors.items()}
    return {PRIMARY: np.asarray(vectors, dtype=np.float32)}


@dataclass(frozen=True)
class Encoded:
    """A document with its chunks and their vectors, {encoder: matrix with a row per chunk}: a
    query, or a document on its way into a space."""

    document: Document
    chunks: list[Chunk]
    vectors: dict[str, np.ndarray]

    @classmethod
    def of(cls, document: Document, chunks: list[Chunk], vectors: Vectors) -> Encoded:
        return cls(document, list(chunks), as_channels(vectors))

    def matrix(self, encoder: str) -> np.ndarray:
        """The vectors of ``encoder``, one row per chunk; no columns when there are none."""
        channel = self.vectors.get(encoder)
        if channel is None:
            channel = np.zeros((len(self.chunks), 0), dtype=np.float32)
        return channel.reshape(len(self.chunks), -1)


class DocumentStore:
    """Documents by id, their chunks, and the int64 ids under which their chunk vectors are
    indexed (handed out here, never reused)."""

    def __init__(self) -> None:
        self._docs: dict[DocId, Document] = {}
        self._chunks: dict[DocId, list[Chunk]] = {}
        self._chunk_ids: dict[DocId, np.ndarray] = {}
        self._chunk_owner: dict[int, DocId] = {}
        self._chinese: set[DocId] = set()
        self.next_chunk_id = 0

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def __iter__(self) -> Iterator[DocId]:
        return iter(self._docs)

    def documents(self) -> Iterator[Document]:
        return iter(self._docs.values())

    def get(self, doc_id: DocId) -> Document:
        return self._docs[doc_id]

    def chunks_of(self, doc_id: DocId) -> list[Chunk]:
        return self._chunks[doc_id]

    def chunk_ids_of(self, doc_id: DocId) -> np.ndarray:
        return self._chunk_ids[doc_id]

    def owner_of(self, chunk_id: int) -> DocId:
        return self._chunk_owner[chunk_id]

    def is_chinese(self, doc_id: DocId) -> bool:
        return doc_id in self._chinese

    def any_chinese(self, doc_ids: list[DocId]) -> bool:
        return not self._chinese.isdisjoint(doc_ids)

    def chinese_mask(self, doc_ids: list[DocId]) -> np.ndarray:
        """For each of ``doc_ids``, whether it is Chinese."""
        return np.fromiter((d in self._chinese for d in doc_ids), dtype=bool, count=len(doc_ids))

    def new_chunk_ids(self, count: int) -> np.ndarray:
        start = self.next_chunk_id
        self.next_chunk_id += count
        return np.arange(start, start + count, dtype=np.int64)

    def register(self, doc: Document, chunks: list[Chunk], ids: np.ndarray) -> None:
        """Put ``doc`` with its chunks and their vector ids (after ``remove`` of its old state)."""
        self._docs[doc.id] = doc
        self._chunks[doc.id] = chunks
        self._chunk_ids[doc.id] = ids
        self._chunk_owner.update(dict.fromkeys(ids.tolist(), doc.id))
        if is_chinese(doc):
            self._chinese.add(doc.id)

    def remove(self, doc_id: DocId) -> list[int] | None:
        """Drop ``doc_id``; the ids of its chunk vectors, None when it was not here."""
        if doc_id not in self._docs:
            return None
        ids = self._chunk_ids.pop(doc_id).tolist()
        for chunk_id in ids:
            del self._chunk_owner[chunk_id]
        del self._docs[doc_id]
        del self._chunks[doc_id]
        self._chinese.discard(doc_id)
        return ids
