import json

import numpy as np
import pytest

from matching import IndexChecksumError, IndexMismatchError, VectorIndex


def unit_vectors(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_upsert_search_replace_and_remove():
    index = VectorIndex(32, "model-a")
    vectors = unit_vectors(20)
    index.upsert(range(100, 120), vectors)

    scores, ids = index.search(vectors[[3]], 1)
    assert ids.tolist() == [[103]]
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)

    index.upsert([103], vectors[[7]])
    assert len(index) == 20
    assert sorted(index.search(vectors[[7]], 2)[1][0].tolist()) == [103, 107]

    index.remove([107, 103, 999])
    assert len(index) == 18
    assert 103 not in index
    assert index.search(vectors[[7]], 1)[1][0, 0] not in (103, 107)


def test_search_with_allow_list_only_returns_allowed_ids():
    index = VectorIndex(32, "model-a")
    vectors = unit_vectors(50)
    index.upsert(range(50), vectors)

    _, ids = index.search(vectors[[0]], 5, allow_ids={10, 20, 30})

    assert sorted(ids[0].tolist()) == [10, 20, 30]


def test_past_threshold_the_index_turns_hnsw_and_still_finds_and_forgets():
    index = VectorIndex(32, "model-a", approximate_threshold=100)
    vectors = unit_vectors(300)
    index.upsert(range(50), vectors[:50])
    assert index.approximate is False

    index.upsert(range(50, 300), vectors[50:])
    assert index.approximate is True
    assert index.search(vectors[[123]], 1)[1].tolist() == [[123]]
    assert index.search(vectors[[5]], 3, allow_ids={5, 6})[1][0, :2].tolist() == [5, 6]

    index.remove([123])
    assert 123 not in index.search(vectors[[123]], 10)[1][0].tolist()
    assert index.search(vectors[[123]], 5, allow_ids={123, 7})[1].tolist() == [[7]]
    assert len(index) == 299


def test_save_load_round_trip_writes_a_manifest(tmp_path):
    index = VectorIndex(32, "model-a")
    vectors = unit_vectors(10)
    index.upsert(range(10), vectors)

    manifest = index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, model_id="model-a", dimension=32)

    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    assert on_disk == manifest
    assert (on_disk["model"], on_disk["dimension"], on_disk["count"], on_disk["kind"]) == (
        "model-a",
        32,
        10,
        "flat",
    )
    assert on_disk["checksum"].startswith("sha256:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "vectors.faiss"]
    assert loaded.search(vectors[[4]], 1)[1].tolist() == [[4]]
    np.testing.assert_array_equal(loaded.ids(), np.arange(10))


def test_saved_hnsw_index_loads_as_hnsw(tmp_path):
    index = VectorIndex(32, "model-a", approximate_threshold=100)
    vectors = unit_vectors(150)
    index.upsert(range(150), vectors)
    index.remove([0])

    assert index.save(tmp_path)["count"] == 149
    loaded = VectorIndex.load(tmp_path, model_id="model-a", dimension=32, approximate_threshold=100)

    assert loaded.approximate is True
    assert len(loaded) == 149
    assert loaded.search(vectors[[42]], 1)[1].tolist() == [[42]]


def test_load_refuses_other_model_or_dimension(tmp_path):
    index = VectorIndex(32, "model-a")
    index.upsert(range(3), unit_vectors(3))
    index.save(tmp_path)

    with pytest.raises(IndexMismatchError, match="model-a"):
        VectorIndex.load(tmp_path, model_id="model-b", dimension=32)
    with pytest.raises(IndexMismatchError):
        VectorIndex.load(tmp_path, model_id="model-a", dimension=64)


def test_load_refuses_a_file_that_does_not_match_its_checksum(tmp_path):
    index = VectorIndex(32, "model-a")
    index.upsert(range(3), unit_vectors(3))
    index.save(tmp_path)
    data = bytearray((tmp_path / "vectors.faiss").read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / "vectors.faiss").write_bytes(bytes(data))

    with pytest.raises(IndexChecksumError):
        VectorIndex.load(tmp_path, model_id="model-a", dimension=32)


def test_load_refuses_a_folder_without_manifest(tmp_path):
    with pytest.raises(IndexMismatchError, match="manifest"):
        VectorIndex.load(tmp_path, model_id="model-a", dimension=32)


def test_rebuild_keeps_vectors_and_ids():
    index = VectorIndex(32, "model-a")
    vectors = unit_vectors(5)
    index.upsert([10, 11, 12, 13, 14], vectors)
    index.remove([12])

    index.rebuild()

    np.testing.assert_array_equal(index.ids(), [10, 11, 13, 14])
    np.testing.assert_allclose(index.reconstruct([13]), vectors[[3]])
