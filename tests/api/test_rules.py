"""Rules one request could break: cohort capacity, operators' private membership fields, and
what declining a match does to a startup's access to a confidential challenge."""

from __future__ import annotations

import pytest

from backend.matches.models import Match
from backend.programs.models import Challenge, Cohort, CohortMembership
from tests.assertions import assert_error_shape
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
    StartupProfileFactory,
)

pytestmark = pytest.mark.django_db

PRIVATE = {"note", "decided_by"}


# --- capacity >= accepted members -------------------------------------------------------------


@pytest.fixture
def cohort(world):
    cohort = CohortFactory(accelerator=AcceleratorFactory(enterprise=world.enterprise), capacity=2)
    CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.ACCEPTED
    )
    return cohort


def test_capacity_below_accepted_members_is_refused(world, client_for, cohort):
    client = client_for(world.operator_user)
    response = client.patch(f"/api/cohorts/{cohort.pk}/", {"capacity": 0}, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert "at least 1," in error["fields"]["capacity"][0]
    assert Cohort.objects.get(pk=cohort.pk).capacity == 2


def test_capacity_down_to_accepted_members_is_allowed(world, client_for, cohort):
    client = client_for(world.operator_user)
    response = client.patch(f"/api/cohorts/{cohort.pk}/", {"capacity": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == 1


def test_put_below_accepted_members_is_refused(world, client_for, cohort):
    client = client_for(world.operator_user)
    body = {"accelerator": cohort.accelerator_id, "name": cohort.name, "capacity": 0}
    response = client.put(f"/api/cohorts/{cohort.pk}/", body, format="json")
    assert_error_shape(response, 400, "invalid")
    assert Cohort.objects.get(pk=cohort.pk).capacity == 2


# --- who sees the operators' note and who decided ---------------------------------------------


@pytest.fixture
def membership(world):
    cohort = CohortFactory(accelerator=AcceleratorFactory(enterprise=world.enterprise))
    return CohortMembershipFactory(
        cohort=cohort,
        startup=world.startup,
        status=CohortMembership.Status.INVITED,
        note="Weak team, invite anyway.",
        decided_by=world.operator_user,
    )


def _members(response) -> list[dict]:
    assert response.status_code in (200, 201), response.content
    body = response.json()
    if isinstance(body, dict) and "results" in body:
        return body["results"]
    return body if isinstance(body, list) else [body]


@pytest.mark.parametrize(
    ("role", "sees_private"),
    [("operator", True), ("enterprise", False), ("startup", False)],
)
def test_member_list_and_detail_fields_by_role(world, client_for, membership, role, sees_private):
    client = client_for(world.user(role))
    base = f"/api/cohorts/{membership.cohort_id}/members/"
    for response in (client.get(base), client.get(f"{base}{membership.pk}/")):
        rows = _members(response)
        assert [row["id"] for row in rows] == [membership.pk]
        for row in rows:
            assert "decided_at" in row
            assert (set(row) >= PRIVATE) is sees_private
            assert bool(PRIVATE & set(row)) is sees_private
            if sees_private:
                assert row["note"] == "Weak team, invite anyway."


def test_startup_answer_hides_private_fields(world, client_for, membership):
    client = client_for(world.startup_user)
    url = f"/api/cohorts/{membership.cohort_id}/members/{membership.pk}/"
    response = client.patch(url, {"status": "accepted"}, format="json")
    assert response.status_code == 200, response.content
    assert not PRIVATE & set(response.json())
    assert response.json()["status"] == "accepted"


def test_operator_writes_see_private_fields(world, client_for, membership):
    client = client_for(world.operator_user)
    base = f"/api/cohorts/{membership.cohort_id}/members/"
    response = client.patch(f"{base}{membership.pk}/", {"note": "Revisit."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["note"] == "Revisit."
    response = client.post(
        base, {"startup": world.other_startup.pk, "note": "Maybe."}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["note"] == "Maybe."
    assert "decided_by" in response.json()


# --- a declined match and the confidential challenge ------------------------------------------


@pytest.fixture
def confidential(world):
    challenge = ChallengeFactory(
        accelerator=AcceleratorFactory(enterprise=world.enterprise),
        visibility=Challenge.Visibility.CONFIDENTIAL,
    )
    profile = StartupProfileFactory(organization=world.startup)
    match = Match.objects.create(challenge=challenge, startup=profile, score=0.9, rank=1)
    return challenge, match


def _startup_sees(client, challenge) -> tuple[int, bool]:
    detail = client.get(f"/api/challenges/{challenge.pk}/").status_code
    listing = client.get("/api/challenges/", {"page_size": 100})
    assert listing.status_code == 200, listing.content
    body = listing.json()
    rows = body["results"] if isinstance(body, dict) else body
    return detail, challenge.pk in {row["id"] for row in rows}


def test_matched_startup_reads_confidential_challenge(world, client_for, confidential):
    challenge, _ = confidential
    assert _startup_sees(client_for(world.startup_user), challenge) == (200, True)


def test_firm_decline_revokes_the_startups_access(world, client_for, confidential):
    challenge, match = confidential
    declined = client_for(world.enterprise_user).post(
        f"/api/matches/{match.pk}/decline/", {"reason_code": "not_a_fit"}, format="json"
    )
    assert declined.status_code == 200, declined.content
    assert _startup_sees(client_for(world.startup_user), challenge) == (404, False)
    # The firm and operators still read it.
    assert (
        client_for(world.enterprise_user).get(f"/api/challenges/{challenge.pk}/").status_code == 200
    )


def test_startup_decline_keeps_its_access(world, client_for, confidential):
    challenge, match = confidential
    client = client_for(world.startup_user)
    declined = client.post(f"/api/matches/{match.pk}/decline/", {}, format="json")
    assert declined.status_code == 200, declined.content
    assert _startup_sees(client, challenge) == (200, True)


def test_decline_elsewhere_does_not_revoke(world, client_for, confidential):
    """Another startup's match declined by the firm leaves this startup's access alone."""
    challenge, _ = confidential
    other = StartupProfileFactory(organization=world.other_startup)
    Match.objects.create(
        challenge=challenge,
        startup=other,
        score=0.5,
        rank=2,
        status=Match.Status.DECLINED,
        declined_side=Match.Side.ENTERPRISE,
    )
    assert _startup_sees(client_for(world.startup_user), challenge) == (200, True)
    assert _startup_sees(client_for(world.other_startup_user), challenge) == (404, False)
