"""The matches and search API over a small real corpus (real model, FAISS and BM25)."""

from __future__ import annotations

import pytest

from backend.matches.models import Match
from backend.programs.models import Challenge
from tests.factories import (
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
    index_documents,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def corpus(world, accelerator):
    battery = StartupProfileFactory(
        organization=world.startup,
        name="VoltCell",
        summary="Lithium-ion battery cells that charge fast and survive shock.",
        capabilities=["Fast-charging lithium-ion cells"],
        stage="seed",
        region="Pudong",
        trl=6,
        technology_tags=["batteries"],
    )
    camera = StartupProfileFactory(
        organization=OrganizationFactory(kind="startup", name="SeeFar"),
        name="SeeFar",
        summary="Infrared cameras that detect small drones at night.",
        capabilities=["Long-wave infrared imaging"],
        stage="series-a",
        region="Minhang",
        trl=4,
        technology_tags=["imaging"],
    )
    public = ChallengeFactory(
        accelerator=accelerator,
        title="Batteries that charge in minutes",
        problem_statement="Lithium-ion cells that charge at 3C and survive high shock.",
    )
    confidential = ChallengeFactory(
        accelerator=accelerator,
        title="Night-time drone detection",
        problem_statement="Detect small drones at night with infrared cameras.",
        visibility=Challenge.Visibility.CONFIDENTIAL,
    )
    index_documents(battery, camera)
    index_documents(public, confidential)
    return {"battery": battery, "camera": camera, "public": public, "confidential": confidential}


def test_challenge_matches_list_ranks_with_evidence(world, client_for, corpus):
    response = client_for(world.enterprise_user).get(
        f"/api/challenges/{corpus['public'].pk}/matches/"
    )
    assert response.status_code == 200
    items = response.json()["results"]
    assert [item["startup"]["name"] for item in items] == ["VoltCell", "SeeFar"]
    first = items[0]
    assert set(first) >= {"id", "challenge", "startup", "score", "rank", "status", "evidence"}
    assert first["challenge"]["id"] == corpus["public"].pk and first["rank"] == 1
    assert first["evidence"]["pairs"][0]["requirement"]
    assert first["evidence"]["pairs"][0]["capability"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=seed", ["VoltCell"]),
        ("region=minhang", ["SeeFar"]),
        ("trl_min=5", ["VoltCell"]),
        ("tags=imaging", ["SeeFar"]),
        ("status=proposed", ["VoltCell", "SeeFar"]),
        ("status=declined", []),
    ],
)
def test_match_filters(world, client_for, corpus, query, expected):
    url = f"/api/challenges/{corpus['public'].pk}/matches/?{query}"
    items = client_for(world.enterprise_user).get(url).json()["results"]
    assert [item["startup"]["name"] for item in items] == expected


def test_min_score_filter_drops_weaker_matches(world, client_for, corpus):
    url = f"/api/challenges/{corpus['public'].pk}/matches/"
    items = client_for(world.enterprise_user).get(url).json()["results"]
    cut = items[0]["score"]
    kept = client_for(world.enterprise_user).get(f"{url}?min_score={cut}").json()["results"]
    assert [item["id"] for item in kept] == [items[0]["id"]]


def test_max_rank_filter_keeps_the_best_ranked(world, client_for, corpus):
    url = f"/api/challenges/{corpus['public'].pk}/matches/"
    client = client_for(world.enterprise_user)
    ranks = [item["rank"] for item in client.get(url).json()["results"]]
    assert len(ranks) >= 2
    kept = client.get(url, {"max_rank": min(ranks)}).json()["results"]
    assert [item["rank"] for item in kept] == [min(ranks)]
    assert client.get(url, {"max_rank": 0}).status_code == 400


def test_a_trl_range_upside_down_is_refused_in_the_readers_language(world, client_for, corpus):
    url = f"/api/challenges/{corpus['public'].pk}/matches/?trl_min=8&trl_max=2"
    client = client_for(world.enterprise_user)
    english = client.get(url)
    assert english.status_code == 400
    assert english.json()["error"]["fields"] == {
        "trl_max": ["The highest TRL must not be below the lowest."]
    }
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).json()["error"]
    assert chinese["code"] == "invalid" and chinese["fields"]["trl_max"] == [
        "最高 TRL 不能低于最低 TRL。"
    ]


def test_startup_sees_only_its_own_matches(world, client_for, corpus):
    items = client_for(world.startup_user).get("/api/matches/").json()["results"]
    assert {item["startup"]["id"] for item in items} == {corpus["battery"].pk}


def test_interest_from_both_sides_connects_through_the_api(world, client_for, corpus):
    match = Match.objects.get(challenge=corpus["public"], startup=corpus["battery"])
    firm = client_for(world.enterprise_user).post(f"/api/matches/{match.pk}/interest/")
    assert firm.json()["status"] == "enterprise_interested"
    startup = client_for(world.startup_user).post(f"/api/matches/{match.pk}/interest/")
    assert startup.json()["status"] == "connected"


def test_decline_feedback_is_validated(world, client_for, corpus):
    match = Match.objects.get(challenge=corpus["public"], startup=corpus["battery"])
    client = client_for(world.enterprise_user)
    url = f"/api/matches/{match.pk}/decline/"
    for body, field in [
        ({"reason_code": "timing", "feedback": "x" * 5000}, "feedback"),
        ({"reason_code": "timing", "note": "x" * 5000}, "note"),
        ({"reason_code": "too_small"}, "reason_code"),
    ]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    match.refresh_from_db()
    assert match.status != Match.Status.DECLINED


def test_search_startups_ranks_by_meaning_and_words(world, client_for, corpus):
    response = client_for(world.enterprise_user).get("/api/search/startups/?q=infrared+drones")
    assert response.status_code == 200
    assert response.json()["results"][0]["startup"]["name"] == "SeeFar"


def test_search_challenges_hides_unmatched_confidential_ones(world, client_for, corpus):
    def titles(user):
        response = client_for(user).get("/api/search/challenges/?q=drones+infrared+batteries")
        return {hit["challenge"]["title"] for hit in response.json()["results"]}

    # The camera startup was proposed for the confidential challenge; the battery startup's
    # organisation is `world.startup` and it was not.
    assert "Night-time drone detection" not in titles(world.other_startup_user)
    assert "Night-time drone detection" in titles(world.enterprise_user)
    matched = Match.objects.filter(challenge=corpus["confidential"], startup=corpus["battery"])
    assert ("Night-time drone detection" in titles(world.startup_user)) == matched.exists()


def test_search_needs_a_query(world, client_for, corpus):
    response = client_for(world.enterprise_user).get("/api/search/startups/?q=")
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


@pytest.mark.parametrize("side", ["challenges", "startups"])
def test_a_query_of_control_characters_finds_nothing(world, client_for, corpus, side):
    response = client_for(world.enterprise_user).get(f"/api/search/{side}/", {"q": "\x07\x1b"})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "results": []}


def test_search_in_chinese(world, client_for, accelerator):
    profile = StartupProfileFactory(
        organization=world.startup,
        name="沪芯储能",
        summary="我们开发高倍率锂离子电池负极材料和低温电解液。",
        capabilities=["锂电池快充"],
    )
    index_documents(profile)
    response = client_for(world.enterprise_user).get("/api/search/startups/?q=锂离子电池")
    assert [hit["startup"]["name"] for hit in response.json()["results"]] == ["沪芯储能"]


NONSENSE = ("xyzzy quantum basket weaving", "asdf qwer zxcv")


@pytest.mark.parametrize("side", ["challenges", "startups"])
def test_a_query_that_nothing_fits_finds_nothing(world, client_for, corpus, side):
    client = client_for(world.enterprise_user)
    for text in NONSENSE:
        response = client.get(f"/api/search/{side}/", {"q": text})
        assert response.status_code == 200
        assert response.json() == {"count": 0, "results": []}, text
    # The same search with real words still finds.
    response = client.get(f"/api/search/{side}/", {"q": "battery"})
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("text", "challenges", "startups"),
    [
        ("battery", ["Batteries that charge in minutes"], ["VoltCell"]),
        ("lithium-ion battery cells", ["Batteries that charge in minutes"], ["VoltCell"]),
        ("infrared drone detection", ["Night-time drone detection"], ["SeeFar"]),
    ],
)
def test_a_real_query_finds_what_fits_it(world, client_for, corpus, text, challenges, startups):
    client = client_for(world.enterprise_user)
    found = client.get("/api/search/challenges/", {"q": text}).json()["results"]
    assert [hit["challenge"]["title"] for hit in found] == challenges
    found = client.get("/api/search/startups/", {"q": text}).json()["results"]
    assert [hit["startup"]["name"] for hit in found] == startups


def test_a_search_in_either_language_finds_profiles_in_both(world, client_for, corpus):
    chinese = StartupProfileFactory(
        organization=OrganizationFactory(kind="startup", name="沪芯储能"),
        name="沪芯储能",
        summary="我们开发高倍率锂离子电池负极材料和低温电解液。",
        capabilities=["锂电池快充"],
    )
    index_documents(chinese)
    client = client_for(world.enterprise_user)

    def names(text):
        found = client.get("/api/search/startups/", {"q": text}).json()["results"]
        return [hit["startup"]["name"] for hit in found]

    assert set(names("锂离子电池")) == {"沪芯储能", "VoltCell"}
    assert set(names("lithium-ion battery cells")) == {"VoltCell", "沪芯储能"}
    assert names("xyzzy quantum basket weaving") == []


def test_search_loads_each_kind_of_related_row_once_whatever_the_hits(world, client_for, corpus):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.enterprise_user)
    with CaptureQueriesContext(connection) as startups:
        hits = client.get("/api/search/startups/?q=batteries+infrared+cameras+drones").json()
    assert hits["count"] == 2
    credential_reads = [q for q in startups.captured_queries if "credential" in q["sql"]]
    assert len(credential_reads) == 1, credential_reads
    with CaptureQueriesContext(connection) as challenges:
        found = client_for(world.startup_user).get("/api/search/challenges/?q=batteries").json()
    assert found["count"] >= 1
    accelerator_reads = [
        q for q in challenges.captured_queries if 'FROM "programs_accelerator"' in q["sql"]
    ]
    assert accelerator_reads == [], "the challenges' accelerators come with them (a join)"
