"""The ONNX Runtime backend on the real model: exported, quantised, cached, compared with torch."""

import json
from pathlib import Path

import numpy as np
import pytest

import matching.onnx_backend as onnx_backend
from matching import Embedder, EngineConfig
from matching.onnx_backend import FP32_FILE, INT8_FILE, OnnxExportError, transformer_folder

SLICE = Path(__file__).resolve().parents[2] / "notebooks" / "data" / "sbir-slice" / "profiles.jsonl"


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """Real capability statements and abstracts (the long ones are cut at 256 word pieces)."""
    rows = [json.loads(line) for line in SLICE.read_text().splitlines() if line.strip()]
    statements = [s for row in rows for s in row["capabilities"]]
    return statements[:36] + [row["text"] for row in rows[:12]]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def torch_vectors(embedder, sentences) -> np.ndarray:
    return embedder.encode(sentences)


@pytest.fixture(scope="module")
def onnx_embedder(onnx_dir) -> Embedder:
    return Embedder(EngineConfig(backend="onnx", onnx_dir=str(onnx_dir)))


@pytest.fixture(scope="module")
def int8_embedder(onnx_dir) -> Embedder:
    return Embedder(EngineConfig(backend="onnx-int8", onnx_dir=str(onnx_dir)))


def test_unknown_backend_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="unknown embedding backend 'tensorrt'") as caught:
        EngineConfig(backend="tensorrt")
    assert "'torch', 'onnx', 'onnx-int8'" in str(caught.value)


def test_default_backend_stays_torch():
    assert EngineConfig().backend == "torch"
    assert Embedder(EngineConfig()).backend == "torch"


def test_int8_has_a_model_id_of_its_own_and_plain_onnx_keeps_torchs():
    torch_id = Embedder(EngineConfig()).model_id
    assert Embedder(EngineConfig(backend="onnx")).model_id == torch_id
    int8_id = Embedder(EngineConfig(backend="onnx-int8")).model_id
    assert int8_id == f"{torch_id}:onnx-int8"


def test_onnx_folder_defaults_to_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert EngineConfig().resolved_onnx_dir() == tmp_path / "cohortis" / "onnx"
    assert EngineConfig(onnx_dir="elsewhere").resolved_onnx_dir() == Path("elsewhere")


def test_pipelines_other_than_mean_pooling_are_refused(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": 384, "pooling_mode_cls_token": True})
    )
    (tmp_path / "modules.json").write_text(
        json.dumps(
            [
                {"path": "", "type": "sentence_transformers.models.Transformer"},
                {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
        )
    )
    with pytest.raises(OnnxExportError, match="pools by mean"):
        transformer_folder(tmp_path)


@pytest.mark.slow
def test_onnx_vectors_equal_torchs(onnx_embedder, sentences, torch_vectors):
    vectors = onnx_embedder.encode(sentences)

    assert vectors.shape == (len(sentences), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Same model id as torch, so the vectors must be interchangeable in caches and indexes.
    np.testing.assert_allclose(vectors, torch_vectors, atol=1e-5)
    assert float(np.min(np.sum(vectors * torch_vectors, axis=1))) >= 1 - 1e-4
    # Batching and order do not change a text's vector.
    few = onnx_embedder.encode(sentences[::-1][:5])
    np.testing.assert_allclose(few, vectors[::-1][:5], atol=1e-6)
    assert onnx_embedder.encode([]).shape == (0, 384)
    assert onnx_embedder._model is None  # torch's model was never loaded


@pytest.mark.slow
def test_int8_vectors_stay_close_to_torchs(int8_embedder, sentences, torch_vectors):
    vectors = int8_embedder.encode(sentences)
    cosines = np.sum(vectors * torch_vectors, axis=1)

    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(cosines.mean()) >= 0.99
    assert float(cosines.min()) >= 0.95
    assert not np.allclose(vectors, torch_vectors, atol=1e-5)  # really quantised


@pytest.mark.slow
def test_exported_files_are_reused(onnx_dir, int8_embedder, sentences, monkeypatch):
    first = int8_embedder.encode(sentences[:3])
    (folder,) = [p for p in onnx_dir.iterdir() if p.is_dir()]
    files = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert {FP32_FILE, INT8_FILE} <= set(files)

    def no_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backend, "export_fp32", no_export)
    monkeypatch.setattr(onnx_backend, "quantize_int8", no_export)
    again = Embedder(EngineConfig(backend="onnx-int8", onnx_dir=str(onnx_dir)))
    np.testing.assert_array_equal(again.encode(sentences[:3]), first)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == files
