"""Dense evidence: one vector index per encoder, keyed by the store's chunk ids, and the dense
features of a candidate pool (``features.DENSE_FEATURES``) from its chunks' similarities."""

from __future__ import annotations

import numpy as np

from matching.config import EngineConfig
from matching.documents import Chunk, DocId
from matching.features import DENSE_FEATURES
from matching.index import VectorIndex
from matching.store import DocumentStore

SOFT_MAX_TEMPERATURE = 0.1
BODY_FIELDS = frozenset({"title", "text"})


def index_options(config: EngineConfig) -> dict[str, int]:
    """The ``VectorIndex`` settings of ``config``."""
    return {
        "approximate_threshold": config.approximate_threshold,
        "hnsw_m": config.hnsw_m,
        "hnsw_ef_construction": config.hnsw_ef_construction,
        "hnsw_ef_search": config.hnsw_ef_search,
    }


def dense_candidates(
    index: VectorIndex | None,
    store: DocumentStore,
    query_vectors: np.ndarray,
    allowed: list[DocId],
    depth: int,
) -> list[DocId]:
    """The ``depth`` documents of ``allowed`` whose best chunk is most like a query chunk."""
    if index is None or len(query_vectors) == 0:
        return []
    allow_chunks = None
    if len(allowed) < len(store):
        allow_chunks = np.concatenate([store.chunk_ids_of(d) for d in allowed])
    # Documents own several chunks: twice as many chunk hits leave room for repeats.
    scores, ids = index.search(query_vectors, 2 * depth, allow_chunks)
    best: dict[DocId, float] = {}
    for score, chunk_id in zip(scores.ravel().tolist(), ids.ravel().tolist(), strict=True):
        if chunk_id < 0:
            continue
        owner = store.owner_of(chunk_id)
        if score > best.get(owner, -np.inf):
            best[owner] = score
    return sorted(best, key=best.__getitem__, reverse=True)[:depth]


def dense_features(
    index: VectorIndex | None,
    store: DocumentStore,
    query_chunks: list[Chunk],
    query_vectors: np.ndarray,
    pool: list[DocId],
    weights: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """``DENSE_FEATURES`` of each document of ``pool`` for the query chunks' vectors (zeros
    without an index or query vectors). ``weights``: of the query chunks in the means over
    them (None: equal)."""
    n = len(pool)
    if index is None or len(query_vectors) == 0 or query_vectors.shape[1] == 0 or n == 0:
        return {name: np.zeros(n, np.float32) for name in DENSE_FEATURES}
    ids = [store.chunk_ids_of(d) for d in pool]
    vectors = index.reconstruct(np.concatenate(ids))
    owner = np.repeat(np.arange(n), [len(i) for i in ids])
    is_body = np.array(
        [c.field in BODY_FIELDS for d in pool for c in store.chunks_of(d)], dtype=bool
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
