"""A withdrawn (unpublished) profile: the firm keeps its match rows but no longer reads what the
profile says, through any match endpoint; operators and the startup itself still do."""

from __future__ import annotations

import pytest

from backend.matches.models import Match
from tests.factories import StartupProfileFactory

pytestmark = pytest.mark.django_db

PITCH = "Tiny models for tiny chips, withdrawn."
CAPABILITY = "Model quantisation for withdrawn microcontrollers."
EVIDENCE = {
    "pairs": [{"requirement": "Low-power inference.", "capability": CAPABILITY, "similarity": 0.7}],
    "shared_terms": ["quantisation"],
}


@pytest.fixture
def withdrawn(world, challenge):
    profile = StartupProfileFactory(
        organization=world.startup, name="Secretive Labs", pitch=PITCH, capabilities=[CAPABILITY]
    )
    match = Match.objects.create(
        challenge=challenge, startup=profile, score=1.0, rank=1, evidence=EVIDENCE
    )
    profile.published = False
    profile.save()
    return profile, match


def bodies(client, challenge, match) -> list[str]:
    urls = [
        "/api/matches/",
        f"/api/matches/{match.pk}/",
        f"/api/challenges/{challenge.pk}/matches/",
    ]
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200, 200, 200]
    return [r.content.decode() for r in responses]


def test_a_firm_reads_nothing_of_a_withdrawn_profile(world, client_for, challenge, withdrawn):
    _profile, match = withdrawn
    firm = client_for(world.enterprise_user)
    for body in bodies(firm, challenge, match):
        assert "Secretive Labs" not in body and PITCH not in body and CAPABILITY not in body
        assert "Shanghai" not in body and "quantisation" not in body
    data = firm.get(f"/api/matches/{match.pk}/").json()
    assert data["startup"]["withheld"] is True
    assert data["startup"]["name"] == "" and data["startup"]["trl"] is None
    assert data["evidence"] == {"pairs": [], "shared_terms": []}
    assert data["id"] == match.pk  # the row itself, its history, stays


def test_operators_and_the_startup_still_read_it(world, client_for, challenge, withdrawn):
    _profile, match = withdrawn
    for body in bodies(client_for(world.operator_user), challenge, match):
        assert "Secretive Labs" in body and PITCH in body and CAPABILITY in body
    own = client_for(world.startup_user).get(f"/api/matches/{match.pk}/").json()
    assert own["startup"]["name"] == "Secretive Labs" and own["startup"]["withheld"] is False
    assert own["evidence"]["pairs"][0]["capability"] == CAPABILITY


def test_a_connected_firm_keeps_the_name_only(world, client_for, challenge, withdrawn):
    _profile, match = withdrawn
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CONNECTED)
    for body in bodies(client_for(world.enterprise_user), challenge, match):
        assert "Secretive Labs" in body
        assert PITCH not in body and CAPABILITY not in body and "Shanghai" not in body


def test_a_republished_profile_shows_again(world, client_for, challenge, withdrawn):
    profile, match = withdrawn
    firm = client_for(world.enterprise_user)
    assert PITCH not in firm.get(f"/api/matches/{match.pk}/").content.decode()
    profile.published = True
    profile.save()
    for body in bodies(firm, challenge, match):
        assert "Secretive Labs" in body and PITCH in body and CAPABILITY in body


def test_filtering_on_profile_fields_does_not_reveal_a_withdrawn_profile(
    world, client_for, challenge, withdrawn
):
    profile, match = withdrawn
    filters = [
        {"region": profile.region},
        {"stage": profile.stage},
        {"trl_min": profile.trl, "trl_max": profile.trl},
    ]

    def found(client, params):
        listed = client.get("/api/matches/", params).json()["results"]
        under = client.get(f"/api/challenges/{challenge.pk}/matches/", params).json()["results"]
        return {m["id"] for m in listed}, {m["id"] for m in under}

    firm = client_for(world.enterprise_user)
    operator = client_for(world.operator_user)
    for params in filters:
        assert found(firm, params) == (set(), set())
        assert found(operator, params) == ({match.pk}, {match.pk})
    assert found(firm, {}) == ({match.pk}, {match.pk})  # the row itself stays
