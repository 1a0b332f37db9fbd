"""Where matching stands, through the API: status, retry, and the limits on what one save costs."""

from __future__ import annotations

import pytest

from backend.common.models import DocumentChange, MatchingStatus
from backend.matches import indexing
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile
from tests.factories import ChallengeFactory, StartupProfileFactory

pytestmark = [pytest.mark.django_db]


def test_a_published_challenge_says_pending_until_the_indexer_has_run(
    world, client_for, accelerator
):
    firm = client_for(world.enterprise_user)
    challenge = ChallengeFactory(accelerator=accelerator, status=Challenge.Status.DRAFT)
    assert firm.get(f"/api/challenges/{challenge.pk}/").json()["matching_status"] == ""
    published = firm.post(f"/api/challenges/{challenge.pk}/publish/")
    assert published.status_code == 200
    assert (published.json()["matching_status"], published.json()["matched_at"]) == (
        "pending",
        None,
    )
    indexing.drain()
    body = firm.get(f"/api/challenges/{challenge.pk}/").json()
    assert body["matching_status"] == "ready" and body["matched_at"]


def test_a_firm_retries_matching_of_its_own_challenge_only(world, client_for, accelerator):
    challenge = ChallengeFactory(accelerator=accelerator, matching_status=MatchingStatus.FAILED)
    url = f"/api/challenges/{challenge.pk}/matching/retry/"
    for stranger in (world.other_enterprise_user, world.startup_user):
        assert client_for(stranger).post(url).status_code == 404  # not theirs: not found
    assert client_for(world.operator_user).post(url).status_code == 403  # operators curate
    assert client_for(None).post(url).status_code == 401
    assert not DocumentChange.objects.exists()
    response = client_for(world.enterprise_user).post(url)
    assert response.status_code == 202
    assert response.json() == {"matching_status": "pending"}
    assert list(DocumentChange.objects.values_list("kind", "owner_id")) == [
        ("challenge", challenge.pk)
    ]


def test_a_closed_challenge_is_not_matched_again(world, client_for, accelerator):
    challenge = ChallengeFactory(accelerator=accelerator, status=Challenge.Status.CLOSED)
    response = client_for(world.enterprise_user).post(
        f"/api/challenges/{challenge.pk}/matching/retry/"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"]
    assert not DocumentChange.objects.exists()


def test_a_startup_retries_its_published_profile(world, client_for):
    client = client_for(world.startup_user)
    assert client.post("/api/startups/me/matching/retry/").status_code == 404
    profile = StartupProfileFactory(organization=world.startup, published=False)
    assert client.post("/api/startups/me/matching/retry/").status_code == 409
    StartupProfile.objects.filter(pk=profile.pk).update(published=True)
    response = client.post("/api/startups/me/matching/retry/")
    assert response.status_code == 202
    assert DocumentChange.objects.get().owner_id == profile.pk
    firm = client_for(world.enterprise_user)
    assert firm.post("/api/startups/me/matching/retry/").status_code == 404
    assert DocumentChange.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("capabilities", [f"Capability {n}" for n in range(61)], "60"),
        ("capabilities", ["x" * 301], "300"),
        ("summary", "word " * 1_601, "8000"),
    ],
)
def test_a_profile_past_the_limits_is_refused_with_the_limit_and_nothing_saved(
    world, client_for, field, value, says
):
    response = client_for(world.startup_user).put(
        "/api/startups/me/", {"name": "Labs", "published": True, field: value}, format="json"
    )
    assert response.status_code == 400
    message = str(response.json()["error"]["fields"][field]).replace(",", "")
    assert says in message
    assert not StartupProfile.objects.exists()
    assert not DocumentChange.objects.exists()
