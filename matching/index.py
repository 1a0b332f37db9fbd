"""FAISS vector index keyed by our integer ids, saved atomically beside a JSON manifest.

Cosine similarity is the inner product of unit-length vectors: every vector that enters the index
is normalised by the embedder, and every index here uses ``METRIC_INNER_PRODUCT``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np
from threadpoolctl import ThreadpoolController

from matching.errors import IndexChecksumError, IndexMismatchError
from matching.files import atomic_write, sha256_of

INDEX_FILE = "vectors.faiss"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
# Below this many queries a search runs on one thread: one query is bound by memory bandwidth, and
# waking OpenMP workers (busy beside torch and the web server) costs more than it gains.
SMALL_BATCH = 16
# Made once, after faiss is imported: it finds faiss's own OpenMP runtime among the loaded
# libraries (a scan per search would cost milliseconds).
_THREADPOOLS = ThreadpoolController()


class VectorIndex:
    """Exact inner-product search while small, HNSW past ``approximate_threshold`` vectors.

    Ids are int64 and unique; ``upsert`` replaces the vectors of ids already present. HNSW cannot
    delete in place, so removed ids are masked out of every search and dropped at the next
    ``rebuild`` (run automatically when they pile up, and before every save).
    """

    def __init__(
        self,
        dimension: int,
        model_id: str,
        *,
        approximate_threshold: int = 50_000,
        hnsw_m: int = 32,
        hnsw_ef_construction: int = 80,
        hnsw_ef_search: int = 128,
    ) -> None:
        self.dimension = dimension
        self.model_id = model_id
        self.approximate_threshold = approximate_threshold
        self.hnsw_m = hnsw_m
        self.hnsw_ef_construction = hnsw_ef_construction
        self.hnsw_ef_search = hnsw_ef_search
        self._ids: set[int] = set()
        self._dead: set[int] = set()
        self._index = self._empty(approximate=False)

    @property
    def approximate(self) -> bool:
        return isinstance(faiss.downcast_index(self._index.index), faiss.IndexHNSWFlat)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, vector_id: object) -> bool:
        return vector_id in self._ids

    def ids(self) -> np.ndarray:
        return np.fromiter(sorted(self._ids), dtype=np.int64, count=len(self._ids))

    def _empty(self, *, approximate: bool) -> faiss.IndexIDMap2:
        inner: faiss.Index
        if approximate:
            inner = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = self.hnsw_ef_construction
            inner.hnsw.efSearch = self.hnsw_ef_search
        else:
            inner = faiss.IndexFlatIP(self.dimension)
        return faiss.IndexIDMap2(inner)

    def upsert(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        if vectors.shape[1] != self.dimension:
            raise IndexMismatchError(
                f"vectors have dimension {vectors.shape[1]}, the index {self.dimension}"
            )
        if len(set(ids.tolist())) != len(ids):
            raise ValueError("duplicate ids in one upsert")
        self.remove(ids.tolist())
        if ids.size == 0:
            return
        self._index.add_with_ids(vectors, ids)
        self._ids.update(ids.tolist())
        want_approximate = len(self._ids) > self.approximate_threshold
        if want_approximate != self.approximate:
            self.rebuild()

    def remove(self, ids: Iterable[int]) -> None:
        present = [i for i in ids if i in self._ids]
        if not present:
            return
        self._ids.difference_update(present)
        if self.approximate:
            self._dead.update(present)
            if len(self._dead) > max(1_000, len(self._ids) // 5):
                self.rebuild()
        else:
            # faiss's Python layer also takes an id array here; its stubs know the selector only.
            self._index.remove_ids(np.asarray(present, dtype=np.int64))  # type: ignore[arg-type]

    def reconstruct(self, ids: Iterable[int]) -> np.ndarray:
        ids = np.asarray(list(ids), dtype=np.int64)
        if ids.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_batch(ids)

    def rebuild(self) -> None:
        """A fresh index of the live vectors, exact or HNSW by their count, without tombstones."""
        ids = self.ids()
        vectors = self.reconstruct(ids)
        self._index = self._empty(approximate=len(ids) > self.approximate_threshold)
        self._dead.clear()
        if ids.size:
            self._index.add_with_ids(vectors, ids)

    def search(
        self, queries: np.ndarray, k: int, allow_ids: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; missing hits have id -1. ``allow_ids`` limits the
        search to those ids (a FAISS id selector, so the filter is applied inside the search)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        allowed = None if allow_ids is None else np.asarray(list(allow_ids), dtype=np.int64)
        dead = np.fromiter(self._dead, dtype=np.int64, count=len(self._dead))
        if allowed is not None:
            allowed = allowed[np.isin(allowed, dead, invert=True)]
        k = max(1, min(k, len(self._ids) if allowed is None else len(allowed)))
        if len(self._ids) == 0 or (allowed is not None and allowed.size == 0):
            return (
                np.full((len(queries), k), -np.inf, dtype=np.float32),
                np.full((len(queries), k), -1, dtype=np.int64),
            )
        if allowed is not None and self.approximate and allowed.size <= self.approximate_threshold:
            # A narrow filter starves HNSW's graph walk; scoring the allowed vectors is exact and
            # cheaper than the walk at these sizes.
            return self._brute_force(queries, allowed, k)
        params = self._params(allowed, dead)
        if len(queries) >= SMALL_BATCH:
            return self._index.search(queries, k, params=params)
        with _THREADPOOLS.limit(limits=1, user_api="openmp"):
            return self._index.search(queries, k, params=params)

    def _params(
        self, allowed: np.ndarray | None, dead: np.ndarray
    ) -> faiss.SearchParameters | None:
        keep: list[object] = []  # FAISS holds raw pointers: the Python objects must outlive it
        selector: faiss.IDSelector | None = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(allowed)
        elif dead.size:
            # Removed ids that HNSW still holds: search everything but them.
            removed = faiss.IDSelectorBatch(dead)
            keep.append(removed)
            selector = faiss.IDSelectorNot(removed)
        params: faiss.SearchParameters
        if self.approximate:
            # In faiss's SWIG module, missing from the stubs it ships.
            hnsw = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            hnsw.efSearch = self.hnsw_ef_search
            params = hnsw
        elif selector is None:
            return None
        else:
            params = faiss.SearchParameters()
        if selector is not None:
            params.sel = selector
            keep.append(selector)
        params._keep = keep  # type: ignore[attr-defined]  # a Python attribute on a SWIG object
        return params

    def _brute_force(
        self, queries: np.ndarray, allowed: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.reconstruct(allowed)
        sims = queries @ vectors.T
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(sims, top, axis=1), allowed[top]

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: str | Path) -> dict:
        """Write the index file, then its manifest, each through a temp file + ``os.replace``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self._dead:
            self.rebuild()
        index_path = directory / INDEX_FILE
        atomic_write(index_path, faiss.serialize_index(self._index).tobytes())
        manifest = {
            "format": FORMAT_VERSION,
            "model": self.model_id,
            "dimension": self.dimension,
            "count": len(self._ids),
            "kind": "hnsw" if self.approximate else "flat",
            "checksum": "sha256:" + sha256_of(index_path),
        }
        atomic_write(directory / MANIFEST_FILE, json.dumps(manifest, indent=2).encode())
        return manifest

    @classmethod
    def load(
        cls, directory: str | Path, *, model_id: str, dimension: int, **options: int
    ) -> VectorIndex:
        """Load a saved index; ``IndexMismatchError`` unless its manifest names this model and
        dimension, ``IndexChecksumError`` unless the file is the one the manifest describes."""
        directory = Path(directory)
        manifest = read_manifest(directory)
        if manifest.get("model") != model_id or manifest.get("dimension") != dimension:
            raise IndexMismatchError(
                f"index in {directory} was built for model {manifest.get('model')!r} with "
                f"dimension {manifest.get('dimension')}, expected {model_id!r} with {dimension}"
            )
        index_path = directory / INDEX_FILE
        if not index_path.is_file():
            raise IndexMismatchError(f"{index_path} is missing")
        if "sha256:" + sha256_of(index_path) != manifest.get("checksum"):
            raise IndexChecksumError(f"{index_path} does not match the checksum in its manifest")
        raw = faiss.deserialize_index(np.frombuffer(index_path.read_bytes(), dtype=np.uint8))
        if raw.ntotal != manifest.get("count") or raw.d != dimension:
            raise IndexMismatchError(
                f"{index_path} holds {raw.ntotal} vectors, manifest says {manifest.get('count')}"
            )
        index = cls(dimension, model_id, **options)
        index._index = faiss.IndexIDMap2(raw) if not isinstance(raw, faiss.IndexIDMap2) else raw
        index._ids = set(faiss.vector_to_array(index._index.id_map).tolist())
        return index


def read_manifest(directory: str | Path) -> dict:
    path = Path(directory) / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(f"no readable manifest at {path}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(f"manifest at {path} has an unknown format")
    return manifest
