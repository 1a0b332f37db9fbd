"""GET /api/startups/{id}/history/: what a firm went through with one startup, for that firm
(its own only) and for operators (every firm's)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from backend.chat.services import conversation_open_for_match
from backend.matches.models import Match
from backend.programs.models import CohortMembership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
)

pytestmark = pytest.mark.django_db


def history_url(profile) -> str:
    return f"/api/startups/{profile.pk}/history/"


@pytest.fixture
def history(world, profile, challenge):
    """A connected match with its conversation and an accepted place for `enterprise`; a match
    and a place for `other_enterprise`; a place the operators withdrew."""
    connected = Match.objects.create(
        challenge=challenge,
        startup=profile,
        score=1.0,
        rank=1,
        status=Match.Status.CONNECTED,
        connected_at=timezone.now(),
    )
    conversation = conversation_open_for_match(match=connected)
    accepted = CohortMembershipFactory(
        cohort=CohortFactory(accelerator=challenge.accelerator),
        startup=world.startup,
        status=CohortMembership.Status.ACCEPTED,
        note="Operators only: strong team.",
    )
    withdrawn = CohortMembershipFactory(
        cohort=CohortFactory(accelerator=challenge.accelerator),
        startup=world.startup,
        status=CohortMembership.Status.WITHDRAWN,
    )
    others = AcceleratorFactory(enterprise=world.other_enterprise)
    theirs = Match.objects.create(
        challenge=ChallengeFactory(accelerator=others), startup=profile, score=0.4, rank=7
    )
    their_place = CohortMembershipFactory(
        cohort=CohortFactory(accelerator=others), startup=world.startup
    )
    return {
        "connected": connected,
        "conversation": conversation,
        "accepted": accepted,
        "withdrawn": withdrawn,
        "theirs": theirs,
        "their_place": their_place,
    }


def test_a_firm_reads_its_own_history_with_the_startup(world, client_for, profile, history):
    response = client_for(world.enterprise_user).get(history_url(profile))
    assert response.status_code == 200
    body = response.json()
    assert body["startup"] == {"id": profile.pk, "name": "TinyML Labs", "withheld": False}
    [match] = body["matches"]
    assert match["id"] == history["connected"].pk
    assert match["status"] == "connected"
    assert match["conversation"] == history["conversation"].pk
    assert match["challenge"]["enterprise"] == "Acme Chips"
    [place] = body["cohort_places"]
    assert place["id"] == history["accepted"].pk and place["status"] == "accepted"
    assert "note" not in place


def test_operators_read_every_firms_history(world, client_for, profile, history):
    body = client_for(world.operator_user).get(history_url(profile)).json()
    assert {m["id"] for m in body["matches"]} == {history["connected"].pk, history["theirs"].pk}
    assert {p["id"] for p in body["cohort_places"]} == {
        history["accepted"].pk,
        history["withdrawn"].pk,
        history["their_place"].pk,
    }


def test_a_conversation_is_given_only_once_connected(world, client_for, profile, history):
    body = client_for(world.other_enterprise_user).get(history_url(profile)).json()
    assert [(m["id"], m["conversation"]) for m in body["matches"]] == [(history["theirs"].pk, None)]


def test_startups_and_anonymous_visitors_read_no_history(world, client_for, profile, history):
    for user in (world.startup_user, world.other_startup_user):
        response = client_for(user).get(history_url(profile))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client_for(None).get(history_url(profile)).status_code == 401


def test_a_withdrawn_profile_is_found_only_with_a_history(world, client_for, profile, challenge):
    Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    profile.published = False
    profile.save()
    body = client_for(world.enterprise_user).get(history_url(profile)).json()
    assert body["startup"] == {"id": profile.pk, "name": "", "withheld": True}
    assert client_for(world.other_enterprise_user).get(history_url(profile)).status_code == 404
    assert client_for(world.enterprise_user).get("/api/startups/999999/history/").status_code == (
        404
    )


def test_a_published_profile_without_a_history_has_an_empty_one(world, client_for, profile):
    body = client_for(world.other_enterprise_user).get(history_url(profile)).json()
    assert (body["matches"], body["cohort_places"]) == ([], [])


def test_a_decline_reads_as_on_the_match(world, client_for, profile, challenge):
    """The reason and the message for everyone who sees the match; the internal note for the
    side that declined only."""
    declined = Match.objects.create(
        challenge=challenge,
        startup=profile,
        score=1.0,
        rank=1,
        status=Match.Status.DECLINED,
        declined_side=Match.Side.ENTERPRISE,
        declined_at=timezone.now(),
        reason_code=Match.ReasonCode.TIMING,
        feedback="Come back after the pilot season.",
        decline_note="Budget frozen until March.",
    )
    seen = {
        who: client_for(user).get(history_url(profile)).json()["matches"][0]
        for who, user in (("firm", world.enterprise_user), ("operator", world.operator_user))
    }
    for match in seen.values():
        assert match["id"] == declined.pk
        assert (match["declined_side"], match["reason_code"]) == ("enterprise", "timing")
        assert match["feedback"] == "Come back after the pilot season."
    assert seen["firm"]["decline_note"] == "Budget frozen until March."
    assert seen["operator"]["decline_note"] == ""
