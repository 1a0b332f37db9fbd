"""The engine's bilingual path on real text: the multilingual encoder beside the primary model,
English readings of Chinese, floors per encoder, evidence and search across languages."""

import numpy as np
import pytest

from matching import Document, Embedder, EngineConfig, IndexMismatchError, SearchSpace, VectorIndex
from matching.dense import dense_features
from matching.evidence import explain, reading_encoder, shared_terms
from matching.features import combine
from matching.glossary import gloss
from matching.multilingual import MULTILINGUAL, PRIMARY
from matching.store import DocumentStore

pytestmark = pytest.mark.slow

PROFILES = [
    Document(
        id=1,
        text="We make fast-charging lithium-ion battery cells with silicon anodes that keep "
        "their capacity at minus twenty degrees.",
        statements=("Lithium-ion battery cells for fast charging", "Low-temperature electrolytes"),
    ),
    Document(
        id=2,
        text="我们研发高倍率锂离子电池负极材料和低温电解液，样品电芯在快充条件下循环两千次。",
        statements=("高倍率锂电池负极材料", "低温电解液配方"),
    ),
    Document(
        id=3,
        text="Adaptive filtering of sea clutter for maritime radar; we detect small boats.",
        statements=("Radar signal processing",),
    ),
    Document(
        id=4,
        text="我们为变电站提供自主巡检机器人，融合红外热成像与激光雷达导航。",
        statements=("巡检机器人导航", "红外热成像识别"),
    ),
    Document(
        id=5,
        text="Biodegradable packaging made from seaweed: compostable films for food.",
        statements=("Compostable food packaging",),
    ),
    Document(
        id=6,
        text="我们用深度学习分析医学影像，自动识别肺部CT中的结节并辅助医生诊断。",
        statements=("医学影像深度学习", "肺结节自动检测"),
    ),
]
CHINESE_BATTERY = Document(
    id=101,
    title="动力电池快充与低温性能提升",
    text="我们需要把锂离子电池的充电倍率提升到3C以上，并改善零下二十摄氏度时的容量保持率。",
    statements=("锂离子电池电极材料", "电解液配方"),
)
ENGLISH_BATTERY = Document(
    id=102,
    title="Fast-charging lithium-ion batteries for cold climates",
    text="Develop lithium-ion battery cells that charge quickly and keep their capacity in the "
    "cold.",
)
ENGLISH_IMAGING = Document(
    id=103,
    title="Deep learning for medical image analysis",
    text="Detect lung nodules in CT scans automatically to support radiologists' diagnosis.",
)


def encoded(embedder: Embedder, doc: Document):
    chunks = embedder.chunk(doc)
    return chunks, embedder.encode_all([c.text for c in chunks])


def bilingual_space(embedder: Embedder, docs, config=None) -> SearchSpace:
    ids = embedder.model_ids
    space = SearchSpace(
        config or EngineConfig(), model_id=ids[PRIMARY], multilingual_id=ids[MULTILINGUAL]
    )
    space.upsert_many((doc, *encoded(embedder, doc)) for doc in docs)
    return space


def proposed(space: SearchSpace, embedder: Embedder, doc: Document, k: int = 3) -> list:
    return [hit.doc_id for _, hit in space.proposals(doc, *encoded(embedder, doc), k=k)]


def test_a_chinese_challenge_finds_its_english_and_chinese_startups(embedder):
    space = bilingual_space(embedder, PROFILES)

    assert set(proposed(space, embedder, CHINESE_BATTERY, k=2)) == {1, 2}


def test_an_english_challenge_finds_its_chinese_startups(embedder):
    space = bilingual_space(embedder, PROFILES)

    assert 2 in proposed(space, embedder, ENGLISH_BATTERY, k=2)
    assert proposed(space, embedder, ENGLISH_IMAGING, k=1) == [6]


def test_an_english_ranking_keeps_the_primary_model_and_a_chinese_one_the_multilingual(embedder):
    english = bilingual_space(embedder, [p for p in PROFILES if p.id in (1, 3, 5)])
    mixed = bilingual_space(embedder, PROFILES)

    assert english.features(ENGLISH_BATTERY, *encoded(embedder, ENGLISH_BATTERY)).encoder == (
        PRIMARY
    )
    pool = mixed.features(ENGLISH_BATTERY, *encoded(embedder, ENGLISH_BATTERY))
    assert pool.encoder == MULTILINGUAL
    assert {"reading_text", "reading_statement", "reading_title"} <= set(pool.features)
    chinese_query = english.features(CHINESE_BATTERY, *encoded(embedder, CHINESE_BATTERY))
    assert chinese_query.encoder == MULTILINGUAL


def test_feedback_across_languages_is_its_own_term_only_in_a_pool_of_both(embedder):
    mixed = bilingual_space(embedder, PROFILES).features(
        ENGLISH_BATTERY, *encoded(embedder, ENGLISH_BATTERY)
    )
    chinese = np.array([doc_id in (2, 4, 6) for doc_id in mixed.candidates])
    across, same = mixed.features["feedback_across"], mixed.features["feedback"]
    # An English query: the Chinese candidates' feedback is the across term, the English ones'
    # the plain one; each candidate has exactly one of the two.
    assert np.all(same[chinese] == 0) and np.any(across[chinese] != 0)
    assert np.all(across[~chinese] == 0) and np.any(same[~chinese] != 0)
    chinese_only = bilingual_space(embedder, [p for p in PROFILES if p.id in (2, 4, 6)])
    pool = chinese_only.features(ENGLISH_BATTERY, *encoded(embedder, ENGLISH_BATTERY))
    assert np.all(pool.features["feedback_across"] == 0)
    assert np.any(pool.features["feedback"] != 0)


def test_each_feedback_document_counts_alike_whatever_its_chunks(embedder):
    """The feedback's mean over the best documents' chunks weighs each document equally: a
    document of many chunks would otherwise outvote one of few."""
    pool = [1, 3, 5]
    store = DocumentStore()
    index = VectorIndex(384, embedder.model_ids[PRIMARY])
    for doc in PROFILES:
        if doc.id in pool:
            doc_chunks, doc_vectors = encoded(embedder, doc)
            ids = store.new_chunk_ids(len(doc_chunks))
            store.register(doc, doc_chunks, ids)
            index.upsert(ids, doc_vectors[PRIMARY])
    query = Document(id=200, text=PROFILES[0].text, statements=PROFILES[0].statements * 3)
    chunks, vectors = encoded(embedder, query)
    channel = vectors[PRIMARY].reshape(len(chunks), -1)
    plain = dense_features(index, store, chunks, channel, pool)
    equal = dense_features(index, store, chunks, channel, pool, np.ones(len(chunks)))
    assert np.allclose(plain["dense_statement"], equal["dense_statement"])
    first_only = np.zeros(len(chunks))
    first_only[0] = 1.0
    weighted = dense_features(index, store, chunks, channel, pool, first_only)
    assert not np.allclose(weighted["dense_statement"], plain["dense_statement"])


def test_a_document_without_chunks_does_not_break_a_bilingual_ranking(embedder):
    """A profile of control characters only has no chunk: the feedback passes over it, even
    when its language has fewer than three documents, so that it is among their best."""
    space = bilingual_space(embedder, [p for p in PROFILES if p.id in (1, 2, 4, 6)])
    blank = Document(id=99, text="\x07\x1b")
    space.upsert(blank, *encoded(embedder, blank))
    assert space.chunks_of(99) == []
    pool = space.features(CHINESE_BATTERY, *encoded(embedder, CHINESE_BATTERY))
    assert 99 in pool.candidates
    assert set(proposed(space, embedder, CHINESE_BATTERY, k=2)) == {1, 2}


def test_the_proposal_floor_is_the_encoders_own(embedder):
    strict_multilingual = EngineConfig(multilingual_proposal_floor=1.01)
    strict_primary = EngineConfig(proposal_floor=1.01)

    none = bilingual_space(embedder, PROFILES, strict_multilingual)
    some = bilingual_space(embedder, PROFILES, strict_primary)

    assert proposed(none, embedder, CHINESE_BATTERY) == []
    assert proposed(some, embedder, CHINESE_BATTERY)
    english = bilingual_space(embedder, [p for p in PROFILES if p.id in (1, 3, 5)], strict_primary)
    assert proposed(english, embedder, ENGLISH_BATTERY) == []


def test_search_finds_documents_in_the_other_language(embedder):
    challenges = bilingual_space(embedder, [CHINESE_BATTERY, ENGLISH_IMAGING])
    profiles = bilingual_space(embedder, PROFILES)

    def search(space, text):
        query = Document(id=0, text=text)
        return [h.doc_id for h in space.search(query, *encoded(embedder, query), 1, evidenced=True)]

    assert search(challenges, "fast charging lithium-ion battery") == [CHINESE_BATTERY.id]
    assert search(challenges, "肺结节医学影像") == [ENGLISH_IMAGING.id]
    assert search(profiles, "seaweed packaging 海藻包装") == [5]


def test_evidence_across_languages_is_read_by_the_multilingual_encoder(embedder):
    encoders = embedder.model_ids
    assert reading_encoder(CHINESE_BATTERY, PROFILES[0], encoders) == MULTILINGUAL
    assert reading_encoder(ENGLISH_BATTERY, PROFILES[0], encoders) == PRIMARY
    assert reading_encoder(CHINESE_BATTERY, PROFILES[0], {PRIMARY: "x"}) == PRIMARY

    query_chunks, query_vectors = encoded(embedder, CHINESE_BATTERY)
    chunks, vectors = encoded(embedder, PROFILES[0])
    evidence = explain(
        CHINESE_BATTERY,
        query_chunks,
        query_vectors[MULTILINGUAL],
        PROFILES[0],
        chunks,
        vectors[MULTILINGUAL],
        encode=embedder.multilingual.encode,
    )

    best = evidence.pairs[0]
    assert "电" in best.requirement and "batter" in best.capability.lower()
    assert best.similarity > 0.4
    # No word is written on both sides: nothing is invented across languages.
    assert evidence.shared_terms == []


def test_chinese_stop_words_single_characters_and_common_words_are_never_evidence():
    first = Document(id=1, text="面向储能电站实现电池管理，每次充电记录的数据。")
    second = Document(id=2, text="我们实现电池管理算法，面向电网，每次测试的数据。")

    terms = shared_terms(first, second)

    assert "电池" in terms
    assert not {"实现", "次", "的", "数据"} & set(terms)


def test_a_chinese_text_has_an_english_reading():
    reading = gloss("锂离子电池的热管理 LiDAR")

    assert {"lithium", "battery", "LiDAR"} <= set(reading.split())


def test_each_language_of_a_bilingual_pool_is_scored_on_its_own():
    features = {"lexical": np.array([9.0, 8.0, 7.0, 3.0, 2.0, 1.0], dtype=np.float32)}
    terms = {"lexical": (1.0, ("lexical",))}
    chinese = np.array([False, False, False, True, True, True])

    pooled = combine(features, terms)
    grouped = combine(features, terms, chinese)

    assert pooled[3] < pooled[2]
    np.testing.assert_allclose(grouped[:3], grouped[3:], atol=1e-6)


def test_a_bilingual_space_needs_both_encoders_and_saves_both(embedder, tmp_path):
    space = bilingual_space(embedder, PROFILES[:2])
    chunks = embedder.chunk(PROFILES[2])
    primary_only = embedder.encode([c.text for c in chunks])
    with pytest.raises(ValueError, match="multilingual"):
        space.upsert(PROFILES[2], chunks, primary_only)

    space.save(tmp_path)
    ids = embedder.model_ids
    loaded = SearchSpace.load(
        tmp_path, model_id=ids[PRIMARY], dimension=384, multilingual_id=ids[MULTILINGUAL]
    )
    assert loaded.bilingual and len(loaded) == 2
    np.testing.assert_allclose(
        loaded.vectors_of(2, MULTILINGUAL), space.vectors_of(2, MULTILINGUAL)
    )
    with pytest.raises(IndexMismatchError):
        SearchSpace.load(tmp_path, model_id=ids[PRIMARY], dimension=384)
