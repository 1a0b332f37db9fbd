"""On-disk embedding cache: one SQLite file, vectors keyed by model id + chunk content hash."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from matching.documents import Chunk


class EmbeddingCache:
    """Raw float32 bytes in SQLite (no pickle); safe to reuse across runs and ranker changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash TEXT NOT NULL, "
            "vector BLOB NOT NULL, PRIMARY KEY (model, hash))"
        )
        self._db.commit()

    def get_many(self, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            rows = self._db.execute(
                f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN "
                f"({','.join('?' * len(batch))})",
                [model_id, *batch],
            )
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)",
            [
                (model_id, key, np.asarray(v, dtype=np.float32).tobytes())
                for key, v in items.items()
            ],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def vectors_for(
        self,
        model_id: str,
        chunks: Sequence[Chunk],
        encode: Callable[[list[str]], np.ndarray],
        flush_every: int = 1024,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Vectors of ``chunks`` in order; uncached ones are encoded and stored as they come."""
        known = self.get_many(model_id, [c.content_hash for c in chunks])
        missing: dict[str, str] = {}
        for c in chunks:
            if c.content_hash not in known:
                missing.setdefault(c.content_hash, c.text)
        keys = list(missing)
        for start in range(0, len(keys), flush_every):
            batch = keys[start : start + flush_every]
            vectors = encode([missing[k] for k in batch])
            fresh = dict(zip(batch, vectors, strict=True))
            self.put_many(model_id, fresh)
            known.update(fresh)
            if progress is not None:
                progress(min(start + flush_every, len(keys)), len(keys))
        if not chunks:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[c.content_hash] for c in chunks]).astype(np.float32, copy=False)
