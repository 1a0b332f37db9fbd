"""The matching engine: embedder, vector index, lexical scorer, ranker, evidence, evaluation.

Plain Python (no Django): the platform builds an ``EngineConfig`` from its settings, chunks and
encodes documents with an ``Embedder``, stores the vectors, and feeds them to a ``SearchSpace``.
Nothing heavy happens at import time; the model loads on first use.
"""

from matching.config import EngineConfig
from matching.documents import Chunk, Document, ScoredDoc
from matching.embedder import Embedder
from matching.errors import (
    IndexChecksumError,
    IndexMismatchError,
    MatchingError,
    ModelNotFoundError,
)
from matching.evidence import Evidence, EvidencePair, explain
from matching.index import VectorIndex
from matching.lexical import LexicalIndex
from matching.ranker import SearchSpace

__all__ = [
    "Chunk",
    "Document",
    "Embedder",
    "EngineConfig",
    "Evidence",
    "EvidencePair",
    "IndexChecksumError",
    "IndexMismatchError",
    "LexicalIndex",
    "MatchingError",
    "ModelNotFoundError",
    "ScoredDoc",
    "SearchSpace",
    "VectorIndex",
    "explain",
]
