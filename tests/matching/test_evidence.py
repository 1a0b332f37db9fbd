import json

import pytest

from matching import SearchSpace, explain

pytestmark = pytest.mark.slow


def test_evidence_aligns_requirements_with_capabilities(market, embedder):
    challenge, profile = market.battery, market.profiles[0]
    q_chunks, p_chunks = embedder.chunk(challenge), embedder.chunk(profile)
    q_vectors = embedder.encode([c.text for c in q_chunks])
    p_vectors = embedder.encode([c.text for c in p_chunks])

    evidence = explain(challenge, q_chunks, q_vectors, profile, p_chunks, p_vectors, top=2)

    assert len(evidence.pairs) == 2
    best = evidence.pairs[0]
    assert best.similarity >= evidence.pairs[1].similarity
    assert "battery" in best.requirement.lower() or "charging" in best.requirement.lower()
    assert "lithium" in best.capability.lower() or "charg" in best.capability.lower()
    assert 0.4 < best.similarity <= 1.0
    assert len({p.requirement for p in evidence.pairs}) == 2
    assert {"lithium", "shock", "battery"} <= {t.lower() for t in evidence.shared_terms}
    assert "the" not in evidence.shared_terms
    data = json.loads(json.dumps(evidence.to_dict()))
    assert set(data) == {"pairs", "shared_terms"}
    assert set(data["pairs"][0]) == {"requirement", "capability", "similarity"}


def test_evidence_narrowed_to_sentences_and_weighted_by_idf(market, embedder):
    space = SearchSpace(model_id=embedder.model_id)
    for doc in market.profiles:
        chunks = embedder.chunk(doc)
        space.upsert(doc, chunks, embedder.encode([c.text for c in chunks]))
    challenge, profile = market.battery, market.profiles[0]
    q_chunks = embedder.chunk(challenge)
    q_vectors = embedder.encode([c.text for c in q_chunks])

    evidence = explain(
        challenge,
        q_chunks,
        q_vectors,
        profile,
        space.chunks_of(1),
        space.vectors_of(1),
        top=1,
        idf=space.idf,
        encode=embedder.encode,
    )

    pair = evidence.pairs[0]
    assert pair.capability in {
        "We build solid-state lithium battery cells with ceramic electrolytes.",
        "Our cells charge in ten minutes and survive high shock.",
        "Solid-state lithium battery cells",
        "Fast charging power packs",
    }
    assert evidence.shared_terms[0].lower() in {"lithium", "shock", "charging", "cells", "fast"}
