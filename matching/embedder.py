"""Sentence-transformers embedder: chunking that fits the model, batched normalised encoding
on torch (default) or ONNX Runtime (``EngineConfig.backend``, see ``matching.onnx_backend``)."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from matching.config import EngineConfig
from matching.documents import Chunk, Document
from matching.glossary import english_reading
from matching.multilingual import MULTILINGUAL, PRIMARY, MultilingualEncoder
from matching.onnx_backend import OnnxEncoder, model_file, transformer_folder
from matching.text import split_sentences, strip_boilerplate


def content_hash(text: str) -> str:
    """Key of a chunk's text in the embedding cache (with the model id)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Embedder:
    """Turns documents into chunks and chunks into unit-length float32 vectors.

    Nothing is loaded at construction: the tokenizer loads on the first ``chunk`` call, the model on
    the first ``encode``. A missing model folder raises ``ModelNotFoundError`` naming
    ``MATCHING_MODEL_PATH``; there is no fallback to any other kind of vector.

    ``config.backend`` picks how ``encode`` runs: "torch" (sentence-transformers), "onnx" or
    "onnx-int8" (ONNX Runtime on files exported once into ``config.resolved_onnx_dir()``).

    With ``config.multilingual`` the same chunks also get vectors of the multilingual encoder
    (``encode_all``); chunking follows the primary model's window, which is the narrower one.
    """

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.path = self.config.resolved_model_path()
        self.backend = self.config.backend
        self._model: Any = None
        self._tokenizer: Any = None
        self._onnx: OnnxEncoder | None = None
        self._lock = threading.Lock()
        settings = _read_json(self.path / "sentence_bert_config.json")
        self.max_seq_length = int(settings.get("max_seq_length", 256))
        # Two special tokens ([CLS], [SEP]) share the model's window with the text.
        self.chunk_tokens = min(self.config.chunk_tokens, self.max_seq_length - 2)
        self.overlap_tokens = min(self.config.chunk_overlap_tokens, self.chunk_tokens // 2)
        self.multilingual = MultilingualEncoder() if self.config.multilingual else None

    @property
    def model_ids(self) -> dict[str, str]:
        """{encoder: model id} of every encoder whose vectors a document gets."""
        ids = {PRIMARY: self.model_id}
        if self.multilingual is not None:
            ids[MULTILINGUAL] = self.multilingual.model_id
        return ids

    def encoder(self, name: str):
        """The ``encode`` of one encoder (``PRIMARY`` or ``MULTILINGUAL``)."""
        if name == MULTILINGUAL and self.multilingual is not None:
            return self.multilingual.encode
        if name == PRIMARY:
            return self.encode
        raise KeyError(name)

    def encode_all(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of ``texts`` from every encoder, {encoder: (n, dimension)}."""
        return {name: self.encoder(name)(texts) for name in self.model_ids}

    @property
    def model_id(self) -> str:
        """Names the model and fingerprints its files, so vectors of two models never mix.

        "onnx" gives the torch vectors (within 1e-6) and keeps the torch id; "onnx-int8" gives
        other vectors and says so in a suffix, so that its vectors are cached and indexed apart.
        """
        # ":gloss": Chinese text is encoded through its English reading (``english_reading``).
        reading = f"{self.source_model_id}:gloss"
        return f"{reading}:onnx-int8" if self.backend == "onnx-int8" else reading

    @property
    def source_model_id(self) -> str:
        """The id of the model files themselves, whatever the backend."""
        name = self.path.parent.name if self.path.name == "model" else self.path.name
        digest = hashlib.sha256()
        for part in ("modules.json", "config.json", "sentence_bert_config.json"):
            file = self.path / part
            if file.is_file():
                digest.update(file.read_bytes())
        for weights in sorted(self.path.glob("*.safetensors")) + sorted(self.path.glob("*.bin")):
            digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
        return f"{name}:{digest.hexdigest()[:12]}"

    @property
    def dimension(self) -> int:
        if self.backend != "torch":
            return self.onnx.dimension
        model = self.model
        if hasattr(model, "get_embedding_dimension"):
            return int(model.get_embedding_dimension())
        return int(model.get_sentence_embedding_dimension())

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(
                    str(self.path), device="cpu", local_files_only=True
                )
        return self._model

    @property
    def onnx(self) -> OnnxEncoder:
        """The ONNX Runtime encoder; exports (and quantises) the model on first use when its
        files are not in the cache folder yet."""
        with self._lock:
            if self._onnx is None:
                from transformers import AutoTokenizer

                folder = self.config.resolved_onnx_dir() / self.source_model_id.replace(":", "-")
                path = model_file(
                    self.path, folder, self.source_model_id, self.backend == "onnx-int8"
                )
                # A tokenizer of its own: a fast tokenizer called from two threads with other
                # padding settings fails ("Already borrowed"), and chunking shares the other.
                tokenizer = AutoTokenizer.from_pretrained(
                    str(transformer_folder(self.path)), local_files_only=True
                )
                self._onnx = OnnxEncoder(
                    path, tokenizer, self.max_seq_length, self.config.batch_size
                )
        return self._onnx

    @property
    def tokenizer(self) -> Any:
        with self._lock:
            if self._tokenizer is None:
                if self._model is not None:
                    self._tokenizer = self._model.tokenizer
                else:
                    from transformers import AutoTokenizer

                    self._tokenizer = AutoTokenizer.from_pretrained(
                        str(self.path), local_files_only=True
                    )
        return self._tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts``, shape (n, dimension), float32, unit length (cosine = dot)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # An English model reads Chinese through its dictionary glosses, not as noise.
        texts = [english_reading(text) for text in texts]
        if self.backend != "torch":
            return self.onnx.encode(texts)
        vectors = self.model.encode(
            texts,
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def chunk(self, doc: Document) -> list[Chunk]:
        """The document's chunks: its title, its text in overlapping sentence-aware windows, and
        one chunk per statement; each fits the model's window."""
        pieces: list[tuple[str, str]] = []
        if doc.title.strip():
            pieces.extend(("title", t) for t in self._windows(doc.title.strip()))
        pieces.extend(("text", t) for t in self._pack(split_sentences(strip_boilerplate(doc.text))))
        for statement in doc.statements:
            if statement.strip():
                pieces.extend(("statement", t) for t in self._windows(statement.strip()))
        counters: dict[str, int] = {}
        chunks = []
        for field, text in pieces:
            ordinal = counters.get(field, 0)
            counters[field] = ordinal + 1
            chunks.append(Chunk(field, ordinal, text, content_hash(text)))
        return chunks

    def _count(self, texts: list[str]) -> list[int]:
        encoded = self.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def _windows(self, sentence: str) -> list[str]:
        """A text cut at word-piece boundaries into overlapping windows that fit."""
        encoded = self.tokenizer(
            sentence, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        offsets = encoded["offset_mapping"]
        if len(offsets) <= self.chunk_tokens:
            return [sentence]
        step = self.chunk_tokens - self.overlap_tokens
        windows = []
        for start in range(0, len(offsets), step):
            window = offsets[start : start + self.chunk_tokens]
            windows.append(sentence[window[0][0] : window[-1][1]])
            if start + self.chunk_tokens >= len(offsets):
                break
        return windows

    def _pack(self, sentences: list[str]) -> list[str]:
        """Greedy packing of whole sentences into windows of ``chunk_tokens`` word pieces; each
        window repeats the previous one's last sentences up to ``overlap_tokens``."""
        units: list[tuple[str, int]] = []
        for sentence, count in zip(
            sentences, self._count(sentences) if sentences else [], strict=True
        ):
            if count > self.chunk_tokens:
                units.extend((w, n) for w, n in zip(*self._split_long(sentence), strict=True))
            elif count:
                units.append((sentence, count))
        chunks: list[str] = []
        current: list[tuple[str, int]] = []
        size = 0
        for unit in units:
            if current and size + unit[1] > self.chunk_tokens:
                chunks.append(" ".join(s for s, _ in current))
                overlap: list[tuple[str, int]] = []
                carried = 0
                for previous in reversed(current):
                    if carried + previous[1] > self.overlap_tokens:
                        break
                    overlap.insert(0, previous)
                    carried += previous[1]
                if carried + unit[1] > self.chunk_tokens:
                    overlap, carried = [], 0
                current, size = overlap, carried
            current.append(unit)
            size += unit[1]
        if current:
            chunks.append(" ".join(s for s, _ in current))
        return chunks

    def _split_long(self, sentence: str) -> tuple[list[str], list[int]]:
        windows = self._windows(sentence)
        return windows, self._count(windows)


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}
