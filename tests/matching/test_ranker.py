import numpy as np
import pytest

from matching import Document, EngineConfig, IndexMismatchError, SearchSpace

pytestmark = pytest.mark.slow


def build(embedder, docs, config=None):
    space = SearchSpace(config or EngineConfig(), model_id=embedder.model_id)
    for doc in docs:
        chunks = embedder.chunk(doc)
        space.upsert(doc, chunks, embedder.encode([c.text for c in chunks]))
    return space


def query(embedder, space, doc, k=5, allow_ids=None):
    chunks = embedder.chunk(doc)
    return space.search(doc, chunks, embedder.encode([c.text for c in chunks]), k, allow_ids)


def test_obviously_right_profile_ranks_first(market, embedder):
    space = build(embedder, market.profiles)

    battery = query(embedder, space, market.battery)
    radar = query(embedder, space, market.radar)

    assert battery[0].doc_id == 1
    assert radar[0].doc_id == 2
    assert [h.score for h in battery] == sorted((h.score for h in battery), reverse=True)
    assert set(battery[0].components) == {
        "lexical",
        "bm25",
        "dense_text",
        "dense_statement",
        "title_statement",
    }
    assert len(battery) == 5


def test_allow_list_and_k_limit_the_results(market, embedder):
    space = build(embedder, market.profiles)

    hits = query(embedder, space, market.battery, k=2, allow_ids={2, 3, 4, 999})

    assert len(hits) == 2
    assert {h.doc_id for h in hits} <= {2, 3, 4}


def test_upsert_replaces_and_remove_forgets(market, embedder):
    space = build(embedder, market.profiles)
    space.remove(1)
    assert 1 not in space
    assert len(space) == 4
    assert query(embedder, space, market.battery)[0].doc_id != 1

    radar_startup = market.profiles[1]
    reborn = type(radar_startup)(
        id=2, text="Lithium battery packs that charge fast.", statements=("Battery cells",)
    )
    chunks = embedder.chunk(reborn)
    space.upsert(reborn, chunks, embedder.encode([c.text for c in chunks]))

    assert len(space) == 4
    assert query(embedder, space, market.battery)[0].doc_id == 2
    assert query(embedder, space, market.radar)[0].doc_id != 2


def test_the_same_space_ranks_challenges_for_a_profile(market, embedder):
    space = build(embedder, [market.battery, market.radar])

    hits = query(embedder, space, market.profiles[1])

    assert [h.doc_id for h in hits] == [102, 101]


def test_pool_past_candidate_limit_uses_faiss_and_bm25_retrieval(market, embedder):
    space = build(embedder, market.profiles, EngineConfig(candidate_pool=2, retrieval_depth=2))

    hits = query(embedder, space, market.battery)

    assert hits[0].doc_id == 1
    assert 2 <= len(hits) <= 4


def test_space_save_and_load_round_trip(market, embedder, tmp_path):
    space = build(embedder, market.profiles)
    space.save(tmp_path)

    loaded = SearchSpace.load(tmp_path, model_id=embedder.model_id, dimension=384)

    assert len(loaded) == 5
    assert loaded.get(5) == market.profiles[4]
    np.testing.assert_allclose(loaded.vectors_of(3), space.vectors_of(3))
    assert query(embedder, loaded, market.battery)[0].doc_id == 1
    with pytest.raises(IndexMismatchError):
        SearchSpace.load(tmp_path, model_id="another-model", dimension=384)


def test_upsert_rejects_vectors_that_do_not_match_the_chunks(market, embedder):
    space = SearchSpace(EngineConfig())
    chunks = embedder.chunk(market.profiles[0])
    with pytest.raises(ValueError, match="chunks"):
        space.upsert(market.profiles[0], chunks, np.zeros((1, 384), dtype=np.float32))


def test_upsert_many_builds_the_same_space_and_checks_dimensions(market, embedder):
    one_by_one = build(embedder, market.profiles)
    items = []
    for doc in market.profiles:
        chunks = embedder.chunk(doc)
        items.append((doc, chunks, one_by_one.vectors_of(doc.id)))
    bulk = SearchSpace(model_id=embedder.model_id)

    bulk.upsert_many([*items, items[0]])
    bulk.upsert(Document(id=99, text=""), [], np.zeros((0, 384), dtype=np.float32))

    assert len(bulk) == 6
    assert len(bulk.vector_index) == len(one_by_one.vector_index)
    expected = [h.doc_id for h in query(embedder, one_by_one, market.battery)]
    assert [h.doc_id for h in query(embedder, bulk, market.battery, k=6)][:4] == expected[:4]
    with pytest.raises(IndexMismatchError):
        bulk.upsert(market.profiles[0], items[0][1], np.zeros((len(items[0][1]), 8), np.float32))
    assert 1 in bulk


def test_chinese_challenge_finds_the_chinese_startup_by_its_words(market, embedder):
    space = build(embedder, market.profiles)
    challenge = Document(id=103, title="电池快速充电", text="需要锂电池快速充电和热管理技术。")

    hits = query(embedder, space, challenge)

    assert hits[0].doc_id == 5
    assert hits[0].components["lexical"] > 0.0


def searched(embedder, space, text, k=5):
    """The ids an evidenced free-text search for ``text`` finds, best first."""
    doc = Document(id=0, text=text)
    chunks = embedder.chunk(doc)
    vectors = embedder.encode([c.text for c in chunks])
    return [hit.doc_id for hit in space.search(doc, chunks, vectors, k, evidenced=True)]


def test_an_evidenced_search_finds_what_fits_and_nothing_for_nonsense(market, embedder):
    space = build(embedder, market.profiles)
    assert searched(embedder, space, "battery") == [1]
    assert searched(embedder, space, "lithium-ion battery cells") == [1]
    assert searched(embedder, space, "infrared drone detection")[0] == 3
    assert searched(embedder, space, "锂离子电池") == [5]
    # A one-word search needs only its one word (two for a document).
    assert searched(embedder, space, "电池") == [5]
    for nonsense in ("xyzzy quantum basket weaving", "asdf qwer zxcv"):
        assert len(query(embedder, space, Document(id=0, text=nonsense))) == 5  # ranked, all
        assert searched(embedder, space, nonsense) == []
    # The floor is the engine's setting; Chinese text still needs shared words.
    lenient = build(embedder, market.profiles, EngineConfig(search_floor=-1.0))
    assert sorted(searched(embedder, lenient, "asdf qwer zxcv")) == [1, 2, 3, 4]


def test_evidence_only_masks_the_ranking(market, embedder):
    space = build(embedder, market.profiles)
    doc = Document(id=0, text="radar")
    chunks = embedder.chunk(doc)
    vectors = embedder.encode([c.text for c in chunks])
    ranking = space.search(doc, chunks, vectors, k=len(space))
    kept = space.search(doc, chunks, vectors, k=len(space), evidenced=True)
    # The radar company, and the drone imaging one (aerial sensing); the rest is below the floor.
    assert [hit.doc_id for hit in kept] == [2, 3]
    assert kept == [hit for hit in ranking if hit.doc_id in (2, 3)]  # same scores, same order
    assert searched(embedder, space, "radar", k=1) == [2]


def proposed(embedder, space, doc, k=10):
    chunks = embedder.chunk(doc)
    vectors = embedder.encode([c.text for c in chunks])
    return {hit.doc_id: rank for rank, hit in space.proposals(doc, chunks, vectors, k)}


def test_a_proposal_needs_absolute_evidence_whatever_its_rank(market, embedder):
    # In a pool of two, the seaweed packaging company still ranks second for the battery
    # challenge; only the floor says that it is no match at all.
    space = build(embedder, [market.profiles[0], market.profiles[3]])
    battery, packaging = query(embedder, space, market.battery)
    assert (battery.doc_id, packaging.doc_id) == (1, 4)
    assert proposed(embedder, space, market.battery) == {1: 1}
    # The floor is the engine's setting.
    lenient = build(embedder, [market.profiles[3]], EngineConfig(proposal_floor=-1.0))
    assert proposed(embedder, lenient, market.battery) == {4: 1}


def test_where_the_model_cannot_read_only_shared_words_are_evidence(market, embedder):
    one_word = Document(id=6, text="我们为物流仓库开发搬运机器人和电池更换站。")
    space = build(embedder, [*market.profiles, one_word])
    chinese = Document(id=103, title="电池快速充电", text="需要锂电池快速充电和热管理技术。")
    hits = {hit.doc_id: hit for hit in query(embedder, space, chinese, k=6)}
    kept = proposed(embedder, space, chinese)
    assert 5 in kept  # shares 锂电池, 快速充电...
    assert 1 not in kept  # English: no word in common
    assert hits[6].components["lexical"] > 0
    assert 6 not in kept  # one word (电池) is a coincidence
    # An English challenge and the Chinese startup: the model's cosine is noise, no words shared.
    english = {hit.doc_id: hit for hit in query(embedder, space, market.battery)}
    assert english[5].components["lexical"] == 0.0
    assert 5 not in proposed(embedder, space, market.battery)


def test_a_proposal_standing_is_the_rank_search_gives(market, embedder):
    space = build(embedder, market.profiles)
    chunks = embedder.chunk(market.battery)
    vectors = embedder.encode([c.text for c in chunks])
    ranking = space.search(market.battery, chunks, vectors, k=len(space))
    for position, hit in enumerate(ranking, start=1):
        standing = space.proposal_standing(market.battery, chunks, vectors, hit.doc_id)
        if hit.doc_id in proposed(embedder, space, market.battery):
            assert standing == (position, hit)
        else:
            assert standing is None
