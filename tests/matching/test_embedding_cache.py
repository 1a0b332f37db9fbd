import numpy as np
import pytest

from matching import Document
from matching.cache import EmbeddingCache


@pytest.mark.slow
def test_cache_encodes_each_chunk_once_per_model(embedder, tmp_path):
    chunks = embedder.chunk(
        Document(id=1, title="Radar", text="Sea clutter. Small boats.", statements=("Radar",))
    )
    encoded: list[str] = []

    def encode(texts: list[str]) -> np.ndarray:
        encoded.extend(texts)
        return embedder.encode(texts)

    cache = EmbeddingCache(tmp_path / "embeddings.sqlite3")
    first = cache.vectors_for(embedder.model_id, chunks, encode)
    cache.close()
    reopened = EmbeddingCache(tmp_path / "embeddings.sqlite3")
    second = reopened.vectors_for(embedder.model_id, chunks, encode)
    other_model = reopened.vectors_for("another-model", chunks[:1], encode)

    # "Radar" is both the title and a statement: one content hash, encoded once.
    assert encoded == ["Radar", "Sea clutter. Small boats.", "Radar"]
    assert first.shape == (3, 384)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(other_model, first[:1], atol=1e-5)
