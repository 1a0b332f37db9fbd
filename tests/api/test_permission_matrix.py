"""Every API resource x every role x every action -> the expected status code.

The cast: `enterprise` owns the accelerator and its challenges; `startup` is matched with the
confidential challenge and invited to the cohort; `other_startup` is only shortlisted there and
keeps an unpublished profile; `other_enterprise` owns nothing here; `operator` runs the platform.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from backend.chat.services import conversation_open_for_match
from backend.matches.models import Match
from backend.programs.models import Challenge, CohortMembership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
    OrganizationFactory,
    StartupProfileFactory,
)

ROLES = ["anonymous", "enterprise", "other_enterprise", "startup", "other_startup", "operator"]


@dataclass
class Scene:
    world: object
    ids: dict


@pytest.fixture
def scene(world) -> Scene:
    accelerator = AcceleratorFactory(enterprise=world.enterprise)
    public = ChallengeFactory(accelerator=accelerator)
    confidential = ChallengeFactory(
        accelerator=accelerator, visibility=Challenge.Visibility.CONFIDENTIAL
    )
    draft = ChallengeFactory(
        accelerator=accelerator, status=Challenge.Status.DRAFT, published_at=None
    )
    profile = StartupProfileFactory(organization=world.startup)
    hidden_profile = StartupProfileFactory(organization=world.other_startup, published=False)
    match = Match.objects.create(challenge=confidential, startup=profile, score=0.9, rank=1)
    cohort = CohortFactory(accelerator=accelerator)
    invited = CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.INVITED
    )
    CohortMembershipFactory(cohort=cohort, startup=world.other_startup)
    newcomer = OrganizationFactory(kind="startup")
    # The conversation a connected match opens (the match's state does not matter to it here).
    conversation = conversation_open_for_match(match=match)
    ids = {
        "accelerator": accelerator.pk,
        "public": public.pk,
        "confidential": confidential.pk,
        "draft": draft.pk,
        "profile": profile.pk,
        "hidden_profile": hidden_profile.pk,
        "cohort": cohort.pk,
        "invited": invited.pk,
        "newcomer": newcomer.pk,
        "match": match.pk,
        "conversation": conversation.pk,
        "operator_user": world.operator_user.pk,
    }
    return Scene(world=world, ids=ids)


def everyone(status: int, **overrides: int) -> dict[str, int]:
    codes = {role: status for role in ROLES}
    codes["anonymous"] = 401
    codes.update(overrides)
    return codes


def only(allowed: dict[str, int], others: int) -> dict[str, int]:
    return everyone(others, **allowed)


CHALLENGE_BODY = {"title": "New challenge", "problem_statement": "Detect defects on wafers."}

# name: (method, url, body, expected status per role)
MATRIX: dict[str, tuple[str, str, dict | None, dict[str, int]]] = {
    "me": ("get", "/api/me/", None, everyone(200)),
    "accelerator list": ("get", "/api/accelerators/", None, everyone(200)),
    "accelerator read": ("get", "/api/accelerators/{accelerator}/", None, everyone(200)),
    "accelerator create": (
        "post",
        "/api/accelerators/",
        {"name": "Chip programme"},
        only({"enterprise": 201, "other_enterprise": 201}, 403),
    ),
    "accelerator edit": (
        "patch",
        "/api/accelerators/{accelerator}/",
        {"name": "Renamed"},
        only({"enterprise": 200, "other_enterprise": 404}, 403),
    ),
    "challenge list": ("get", "/api/challenges/", None, everyone(200)),
    "public challenge read": ("get", "/api/challenges/{public}/", None, everyone(200)),
    "confidential challenge read": (
        "get",
        "/api/challenges/{confidential}/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 200}, 404),
    ),
    "draft challenge read": (
        "get",
        "/api/challenges/{draft}/",
        None,
        only({"enterprise": 200, "operator": 200}, 404),
    ),
    "challenge create": (
        "post",
        "/api/challenges/",
        {**CHALLENGE_BODY, "accelerator": "{accelerator}"},
        only({"enterprise": 201, "other_enterprise": 400}, 403),
    ),
    "challenge edit": (
        "patch",
        "/api/challenges/{draft}/",
        {"title": "Sharper title"},
        only({"enterprise": 200, "other_enterprise": 404}, 403),
    ),
    "challenge publish": (
        "post",
        "/api/challenges/{draft}/publish/",
        None,
        only({"enterprise": 200, "other_enterprise": 404}, 403),
    ),
    "challenge close": (
        "post",
        "/api/challenges/{public}/close/",
        None,
        only({"enterprise": 200, "other_enterprise": 404}, 403),
    ),
    "confidential challenge close": (
        "post",
        "/api/challenges/{confidential}/close/",
        None,
        only({"enterprise": 200, "other_enterprise": 404}, 403),
    ),
    "startup list": ("get", "/api/startups/", None, everyone(200)),
    "published profile read": ("get", "/api/startups/{profile}/", None, everyone(200)),
    "unpublished profile read": (
        "get",
        "/api/startups/{hidden_profile}/",
        None,
        only({"other_startup": 200, "operator": 200}, 404),
    ),
    "own profile read": (
        "get",
        "/api/startups/me/",
        None,
        only({"startup": 200, "other_startup": 200}, 403),
    ),
    "own profile write": (
        "patch",
        "/api/startups/me/",
        {"pitch": "Sharper pitch"},
        only({"startup": 200, "other_startup": 200}, 403),
    ),
    "profile write by id": (
        "patch",
        "/api/startups/{profile}/",
        {"pitch": "Hijacked"},
        only({"startup": 405, "other_startup": 405}, 403),
    ),
    "cohort list": ("get", "/api/cohorts/", None, everyone(200)),
    "cohort read": (
        "get",
        "/api/cohorts/{cohort}/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 200}, 404),
    ),
    "cohort create": (
        "post",
        "/api/cohorts/",
        {"accelerator": "{accelerator}", "name": "Spring", "capacity": 5},
        only({"operator": 201}, 403),
    ),
    "cohort edit": (
        "patch",
        "/api/cohorts/{cohort}/",
        {"capacity": 8},
        only({"operator": 200}, 403),
    ),
    "cohort members": (
        "get",
        "/api/cohorts/{cohort}/members/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 200}, 404),
    ),
    "cohort shortlist": (
        "post",
        "/api/cohorts/{cohort}/members/",
        {"startup": "{newcomer}"},
        only({"operator": 201}, 403),
    ),
    "cohort invitation accept": (
        "patch",
        "/api/cohorts/{cohort}/members/{invited}/",
        {"status": "accepted"},
        only({"startup": 200, "other_startup": 404, "operator": 409}, 403),
    ),
    "cohort invitation withdraw": (
        "patch",
        "/api/cohorts/{cohort}/members/{invited}/",
        {"status": "withdrawn"},
        only({"startup": 409, "other_startup": 404, "operator": 200}, 403),
    ),
    "match list": ("get", "/api/matches/", None, everyone(200)),
    "match read": (
        "get",
        "/api/matches/{match}/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 200}, 404),
    ),
    "match interest": (
        "post",
        "/api/matches/{match}/interest/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 403}, 404),
    ),
    "match decline": (
        "post",
        "/api/matches/{match}/decline/",
        {"reason_code": "timing", "feedback": "Not now"},
        only({"enterprise": 200, "startup": 200, "operator": 403}, 404),
    ),
    "challenge matches": (
        "get",
        "/api/challenges/{confidential}/matches/",
        None,
        only({"enterprise": 200, "operator": 200}, 404),
    ),
    "challenge search": ("get", "/api/search/challenges/?q=battery", None, everyone(200)),
    "startup search": (
        "get",
        "/api/search/startups/?q=battery",
        None,
        only({"startup": 403, "other_startup": 403}, 200),
    ),
    "conversation list": ("get", "/api/conversations/", None, everyone(200)),
    "conversation read": (
        "get",
        "/api/conversations/{conversation}/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 200}, 404),
    ),
    "conversation messages": (
        "get",
        "/api/conversations/{conversation}/messages/",
        None,
        only({"enterprise": 200, "startup": 200, "operator": 200}, 404),
    ),
    "conversation send": (
        "post",
        "/api/conversations/{conversation}/messages/",
        {"client_msg_id": "m-1", "body": "Hello"},
        only({"enterprise": 201, "startup": 201, "operator": 403}, 404),
    ),
    "conversation mark read": (
        "post",
        "/api/conversations/{conversation}/read/",
        {"seq": 0},
        only({"enterprise": 200, "startup": 200, "operator": 403}, 404),
    ),
    "conversation invite operator": (
        "post",
        "/api/conversations/{conversation}/invite-operator/",
        {"user": "{operator_user}"},
        only({"enterprise": 200, "startup": 200, "operator": 403}, 404),
    ),
    "websocket ticket": ("post", "/api/ws-ticket/", None, everyone(201)),
}


def _fill(value, ids: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CASES, ids=[f"{a}-{r}" for a, r in CASES])
def test_permission_matrix(scene, client_for, action, role):
    method, url, body, expected = MATRIX[action]
    client = client_for(scene.world.user(role))
    url = url.format(**scene.ids)
    data = {key: _fill(value, scene.ids) for key, value in (body or {}).items()}
    response = (
        getattr(client, method)(url, data, format="json") if body else getattr(client, method)(url)
    )
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_lists_hold_only_what_each_role_may_see(scene, client_for):
    world, ids = scene.world, scene.ids

    def challenge_ids(role):
        response = client_for(world.user(role)).get("/api/challenges/?page_size=500")
        return {item["id"] for item in response.json()["results"]}

    assert challenge_ids("enterprise") == {ids["public"], ids["confidential"], ids["draft"]}
    assert challenge_ids("operator") == {ids["public"], ids["confidential"], ids["draft"]}
    assert challenge_ids("startup") == {ids["public"], ids["confidential"]}
    assert challenge_ids("other_startup") == {ids["public"]}
    assert challenge_ids("other_enterprise") == {ids["public"]}

    def profile_ids(role):
        response = client_for(world.user(role)).get("/api/startups/?page_size=500")
        return {item["id"] for item in response.json()["results"]}

    assert profile_ids("enterprise") == {ids["profile"]}
    assert profile_ids("other_startup") == {ids["profile"], ids["hidden_profile"]}
    assert profile_ids("operator") == {ids["profile"], ids["hidden_profile"]}

    def cohort_member_ids(role):
        url = f"/api/cohorts/{ids['cohort']}/members/"
        return [item["startup"] for item in client_for(world.user(role)).get(url).json()["results"]]

    assert cohort_member_ids("startup") == [world.startup.pk]

    def match_ids(role):
        response = client_for(world.user(role)).get("/api/matches/")
        return [item["id"] for item in response.json()["results"]]

    assert (
        match_ids("enterprise") == match_ids("startup") == match_ids("operator") == [ids["match"]]
    )
    assert match_ids("other_enterprise") == match_ids("other_startup") == []

    def conversation_ids(role):
        response = client_for(world.user(role)).get("/api/conversations/")
        return [item["id"] for item in response.json()["results"]]

    assert conversation_ids("enterprise") == [ids["conversation"]]
    assert conversation_ids("startup") == conversation_ids("operator") == [ids["conversation"]]
    assert conversation_ids("other_enterprise") == conversation_ids("other_startup") == []
    assert sorted(cohort_member_ids("operator")) == sorted(
        [world.startup.pk, world.other_startup.pk]
    )
