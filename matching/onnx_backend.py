"""ONNX Runtime backend of the embedder, built offline from the sentence-transformers folder.

The model's first module (a Hugging Face BERT) is exported once with ``torch.onnx.export``
(dynamic batch and sequence axes), its subgraphs fused by ONNX Runtime's transformer optimizer
(attention, embedding + layer norm, GELU), and for ``onnx-int8`` its weights quantised by
``quantize_dynamic`` (signed int8, one scale per output channel). The files are cached in one
folder per model id and reused. Encoding then needs no torch: the model's tokenizer (same
``max_seq_length``), the ONNX graph, mean pooling over the attention mask and L2 normalisation,
which is exactly the pipeline that ``modules.json`` declares (Transformer -> Pooling(mean) ->
Normalize); any other pipeline is refused.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from matching.errors import MatchingError

BACKENDS = ("torch", "onnx", "onnx-int8")
FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
MANIFEST_FILE = "export.json"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
OPSET = 17
# The exported graph must reproduce the torch model's pooled vectors this closely.
EXPORT_TOLERANCE = 1e-4
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


class OnnxExportError(MatchingError):
    """The model cannot be run on ONNX Runtime, or its export does not reproduce it."""


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(
            f"unknown embedding backend {name!r}: choose one of {', '.join(map(repr, BACKENDS))}"
        )
    return name


def transformer_folder(model_path: Path) -> Path:
    """The folder of the model's Transformer module, after checking that the whole pipeline is
    Transformer -> Pooling(mean) [-> Normalize], the one this backend reproduces."""
    modules = json.loads((model_path / "modules.json").read_text())
    kinds = [m.get("type", "") for m in modules]
    if not kinds or kinds[0] != _TRANSFORMER or kinds[1:2] != [_POOLING]:
        raise OnnxExportError(
            f"{model_path}: the ONNX backend runs Transformer -> Pooling(mean) -> Normalize "
            f"models only, this one is {' -> '.join(k.rsplit('.', 1)[-1] for k in kinds)}"
        )
    if any(k != _NORMALIZE for k in kinds[2:]):
        raise OnnxExportError(f"{model_path}: modules after pooling other than Normalize")
    pooling = json.loads((model_path / modules[1]["path"] / "config.json").read_text())
    mode = pooling.get("pooling_mode")
    if mode is None:
        mode = [
            key.removeprefix("pooling_mode_").removesuffix("_tokens")
            for key, on in pooling.items()
            if key.startswith("pooling_mode_") and on is True
        ]
    if mode not in ("mean", ["mean"], ("mean",)):
        raise OnnxExportError(f"{model_path}: pooling is {mode!r}, the ONNX backend pools by mean")
    return model_path / modules[0].get("path", "")


def model_file(model_path: Path, folder: Path, source_id: str, quantized: bool) -> Path:
    """The cached ONNX file for the model (exported, and quantised, when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / FP32_FILE
    if not fp32.is_file():
        export_fp32(model_path, fp32)
        _write_manifest(folder, source_id)
    if not quantized:
        return fp32
    int8 = folder / INT8_FILE
    if not int8.is_file():
        quantize_int8(fp32, int8)
        _write_manifest(folder, source_id)
    return int8


def export_fp32(model_path: Path, target: Path) -> None:
    """Exports the Transformer module to ``target``: traced with eager attention (a plain graph
    that the optimizer can fuse), fused for BERT models, checked against torch."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    source = transformer_folder(model_path)
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    model = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    ).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Two texts of different lengths: the traced graph keeps the padding mask.
    samples = [
        "Solid-state lithium battery cells with ceramic electrolytes.",
        "Adaptive filtering of sea clutter lets maritime radar detect small boats in heavy "
        "sea states, at night and in rain.",
        "Compostable films.",
    ]
    example = tokenizer(samples[:2], padding=True, return_tensors="pt")
    features = tokenizer(samples, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**{n: features[n] for n in INPUT_NAMES}).last_hidden_state.numpy()
    expected = _pool(hidden, features["attention_mask"].numpy())
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        raw = Path(work) / "raw.onnx"
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer and legacy-exporter notices
            torch.onnx.export(
                LastHiddenState(model).eval(),
                tuple(example[name] for name in INPUT_NAMES),
                str(raw),
                input_names=list(INPUT_NAMES),
                output_names=[OUTPUT],
                dynamic_axes={n: {0: "batch", 1: "sequence"} for n in (*INPUT_NAMES, OUTPUT)},
                opset_version=OPSET,
                dynamo=False,
            )
        built = Path(work) / "model.onnx"
        if model.config.model_type == "bert":
            from onnxruntime.transformers.optimizer import optimize_model

            fused = optimize_model(
                str(raw),
                model_type="bert",
                num_heads=model.config.num_attention_heads,
                hidden_size=model.config.hidden_size,
                opt_level=1,
            )
            fused.save_model_to_file(str(built))
        else:
            raw.replace(built)
        feeds = {n: features[n].numpy().astype(np.int64) for n in INPUT_NAMES}
        got = _pool(_session(built).run(None, feeds)[0], feeds["attention_mask"])
        error = float(np.abs(got - expected).max())
        if error > EXPORT_TOLERANCE:
            raise OnnxExportError(
                f"the ONNX export of {model_path} differs from torch by {error:.2g} (max allowed "
                f"{EXPORT_TOLERANCE:g}); use the torch backend"
            )
        os.replace(built, target)


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic quantisation: int8 weights (one scale per output channel, which keeps MiniLM's
    vectors within cosine ~0.993 of torch; one scale per tensor falls to ~0.95), activations
    quantised on the fly."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as work, _quiet_quantizer():
        built = Path(work) / "model-int8.onnx"
        quantize_dynamic(
            str(source),
            str(built),
            weight_type=QuantType.QInt8,
            per_channel=True,
            # The fused operators (com.microsoft domain) have no ONNX shape inference.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        os.replace(built, target)


class OnnxEncoder:
    """Encodes texts with one cached ONNX file: tokenise, run, mean-pool, normalise."""

    def __init__(self, path: Path, tokenizer: Any, max_seq_length: int, batch_size: int) -> None:
        self.path = path
        self.tokenizer = tokenizer
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.session = _session(path)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Longest first, like sentence-transformers: batches of similar length pad little.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            features = self.tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation="longest_first",
                max_length=self.max_seq_length,
                return_tensors="np",
            )
            mask = features["attention_mask"].astype(np.int64)
            feeds = {
                name: features[name].astype(np.int64) if name in features else np.zeros_like(mask)
                for name in self.inputs
            }
            hidden = self.session.run(None, feeds)[0]
            out[rows] = _pool(hidden, mask)
        return out


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the unmasked tokens, then unit length (sentence-transformers' Pooling(mean) and
    Normalize)."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    mean = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return (mean / np.clip(norms, 1e-12, None)).astype(np.float32)


def _session(path: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """Drops the quantizer's advice to pre-process (shape inference, which the fused operators
    do not have); other log records pass."""

    def advice(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Please consider to run pre-processing")

    root = logging.getLogger()
    root.addFilter(advice)
    try:
        yield
    finally:
        root.removeFilter(advice)


def _write_manifest(folder: Path, source_id: str) -> None:
    """What built the files: for a human wondering where they came from."""
    import onnxruntime

    described = {
        FP32_FILE: f"torch.onnx.export (opset {OPSET}), fused by the ONNX Runtime optimizer",
        INT8_FILE: f"{FP32_FILE} after quantize_dynamic: QInt8 weights, one scale per channel",
    }
    manifest = {
        "source_model": source_id,
        "files": {name: text for name, text in described.items() if (folder / name).is_file()},
        "onnxruntime": onnxruntime.__version__,
    }
    try:
        import torch

        manifest["torch"] = torch.__version__
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    temp = folder / f".{MANIFEST_FILE}.{os.getpid()}"
    temp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(temp, folder / MANIFEST_FILE)
