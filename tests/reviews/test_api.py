"""The team review API: who reaches it (the firm; operators to read; nobody else, as 404),
and what it answers."""

from __future__ import annotations

import pytest

from backend.accounts.selectors import actor_for
from backend.matches.models import Match
from backend.reviews import services
from tests.factories import OrganizationFactory, StartupProfileFactory, member_of

pytestmark = pytest.mark.django_db


def _scores(review, impact: int, fit: int) -> dict:
    return {
        "scores": [
            {"criterion": review.impact.pk, "score": impact},
            {"criterion": review.fit.pk, "score": fit},
        ]
    }


def _urls(review) -> list[str]:
    match = review.match.pk
    return [
        f"/api/challenges/{review.challenge.pk}/rubric/",
        f"/api/matches/{match}/reviews/",
        f"/api/matches/{match}/notes/",
    ]


@pytest.mark.parametrize("role", ["other_enterprise", "startup", "other_startup"])
def test_outside_the_firm_every_review_read_is_not_found(world, client_for, review, role):
    services.note_add(actor=actor_for(world.enterprise_user), match=review.match, text="Internal")
    client = client_for(world.user(role))
    for url in _urls(review):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", ["other_enterprise", "startup"])
def test_outside_the_firm_every_review_write_is_not_found(world, client_for, review, role):
    client = client_for(world.user(role))
    match = review.match.pk
    writes = [
        client.put(
            f"/api/challenges/{review.challenge.pk}/rubric/",
            {"criteria": [{"name": "A", "weight": 1}, {"name": "B", "weight": 1}]},
            format="json",
        ),
        client.put(f"/api/matches/{match}/reviews/mine/", _scores(review, 3, 3), format="json"),
        client.post(f"/api/matches/{match}/notes/", {"text": "Hi"}, format="json"),
        client.post(
            f"/api/matches/{match}/reviewers/", {"user": review.colleague.pk}, format="json"
        ),
        client.delete(f"/api/matches/{match}/reviewers/{review.colleague.pk}/"),
    ]
    assert [w.status_code for w in writes] == [404] * 5
    assert not review.match.reviews.exists() and not review.match.internal_notes.exists()


def test_operators_read_but_never_write(world, client_for, review):
    services.review_submit(
        actor=actor_for(review.colleague),
        match=review.match,
        scores={review.impact.pk: 4, review.fit.pk: 4},
    )
    client = client_for(world.operator_user)
    for url in _urls(review):
        assert client.get(url).status_code == 200, url
    match = review.match.pk
    put = client.put(f"/api/matches/{match}/reviews/mine/", _scores(review, 1, 1), format="json")
    note = client.post(f"/api/matches/{match}/notes/", {"text": "Hi"}, format="json")
    assert (put.status_code, note.status_code) == (403, 403)


def test_a_member_scores_and_then_sees_the_team(world, client_for, review):
    services.review_submit(
        actor=actor_for(world.enterprise_user),
        match=review.match,
        scores={review.impact.pk: 5, review.fit.pk: 1},
    )
    client = client_for(review.colleague)
    url = f"/api/matches/{review.match.pk}/reviews/"
    before = client.get(url).json()
    assert before["blind"] is True and before["mine"] is None and before["reviews"] == []
    assert before["aggregate"] == {"count": 1, "mean": None, "lowest": None, "highest": None}
    assert [c["name"] for c in before["criteria"]] == ["Impact", "Fit"]

    response = client.put(f"{url}mine/", _scores(review, 2, 2), format="json")
    assert response.status_code == 200
    after = response.json()
    assert after["blind"] is False
    assert after["mine"]["weighted_mean"] == "2.00"
    assert after["aggregate"] == {"count": 2, "mean": "3.00", "lowest": "2.00", "highest": "4.00"}
    assert sorted(r["reviewer"]["id"] for r in after["reviews"]) == sorted(
        [world.enterprise_user.pk, review.colleague.pk]
    )


@pytest.mark.parametrize(
    "body",
    [
        {"scores": [{"criterion": 1, "score": 6}]},
        {"scores": [{"criterion": 1, "score": "3"}]},
        {"scores": "5"},
    ],
)
def test_scores_are_whole_numbers_from_one_to_five(world, client_for, review, body):
    response = client_for(world.enterprise_user).put(
        f"/api/matches/{review.match.pk}/reviews/mine/", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_criterion_scored_twice_is_refused(world, client_for, review):
    body = {
        "scores": [
            {"criterion": review.impact.pk, "score": 3},
            {"criterion": review.fit.pk, "score": 3},
            {"criterion": review.impact.pk, "score": 4},
        ]
    }
    response = client_for(world.enterprise_user).put(
        f"/api/matches/{review.match.pk}/reviews/mine/", body, format="json"
    )
    assert response.status_code == 400 and "scores" in response.json()["error"]["fields"]


def test_the_rubric_is_set_and_then_locked_by_the_first_score(world, client_for, review):
    client = client_for(world.enterprise_user)
    url = f"/api/challenges/{review.challenge.pk}/rubric/"
    body = {
        "criteria": [
            {"name": "Team", "weight": 2},
            {"name": "Cost", "description": "Unit cost at volume", "weight": 5},
        ]
    }
    response = client.put(url, body, format="json")
    assert response.status_code == 200
    rubric = response.json()
    assert [(c["name"], c["weight"], c["position"]) for c in rubric["criteria"]] == [
        ("Team", 2, 0),
        ("Cost", 5, 1),
    ]
    assert rubric["locked"] is False
    team, cost = (c["id"] for c in rubric["criteria"])
    scores = {"scores": [{"criterion": team, "score": 3}, {"criterion": cost, "score": 3}]}
    client.put(f"/api/matches/{review.match.pk}/reviews/mine/", scores, format="json")
    assert client.get(url).json()["locked"] is True
    refused = client.put(url, body, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "criteria",
    [
        [{"name": "Only", "weight": 1}],
        [{"name": f"C{i}", "weight": 1} for i in range(7)],
        [{"name": "A", "weight": 0}, {"name": "B", "weight": 1}],
        [{"name": "A", "weight": 1.5}, {"name": "B", "weight": 1}],
        [{"name": "x" * 101, "weight": 1}, {"name": "B", "weight": 1}],
    ],
)
def test_a_rubric_is_two_to_six_named_criteria_weighted_one_to_ten(
    world, client_for, challenge, criteria
):
    response = client_for(world.enterprise_user).put(
        f"/api/challenges/{challenge.pk}/rubric/", {"criteria": criteria}, format="json"
    )
    assert response.status_code == 400


def test_a_challenge_without_a_rubric_has_no_criteria_and_cannot_be_scored(
    world, client_for, review
):
    review.challenge.rubric.delete()
    client = client_for(world.enterprise_user)
    rubric = client.get(f"/api/challenges/{review.challenge.pk}/rubric/").json()
    assert rubric == {"challenge": review.challenge.pk, "criteria": [], "locked": False}
    response = client.put(
        f"/api/matches/{review.match.pk}/reviews/mine/", {"scores": []}, format="json"
    )
    assert response.status_code == 409


def test_reviewers_are_the_firms_own_members(world, client_for, review):
    client = client_for(world.enterprise_user)
    url = f"/api/matches/{review.match.pk}/reviewers/"
    response = client.post(url, {"user": review.colleague.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["reviewer"]["id"] == review.colleague.pk
    assigned = client.get(f"/api/matches/{review.match.pk}/reviews/").json()["reviewers"]
    assert [a["reviewer"]["id"] for a in assigned] == [review.colleague.pk]
    for outsider in (world.other_enterprise_user.pk, world.startup_user.pk, 10**9):
        refused = client.post(url, {"user": outsider}, format="json")
        assert refused.status_code == 400
        assert refused.json()["error"]["fields"] == {"user": ["Not a member of your firm."]}
    assert client.delete(f"{url}{review.colleague.pk}/").status_code == 204
    assert client.delete(f"{url}{review.colleague.pk}/").status_code == 204
    assert client.delete(f"{url}{2**70}/").status_code == 404
    assert not review.match.reviewer_assignments.exists()


def test_notes_are_shared_within_the_firm_only(world, client_for, review):
    author = client_for(world.enterprise_user)
    url = f"/api/matches/{review.match.pk}/notes/"
    created = author.post(url, {"text": "Ask about wafer yields."}, format="json")
    assert created.status_code == 201
    assert created.json()["author"]["id"] == world.enterprise_user.pk
    colleague = client_for(member_of(world.enterprise))
    assert [n["text"] for n in colleague.get(url).json()] == ["Ask about wafer yields."]
    too_long = author.post(url, {"text": "x" * 2_001}, format="json")
    assert too_long.status_code == 400


def test_the_startup_reads_its_match_without_any_of_the_review(world, client_for, review):
    services.note_add(
        actor=actor_for(world.enterprise_user), match=review.match, text="Secret pricing view"
    )
    services.review_submit(
        actor=actor_for(world.enterprise_user),
        match=review.match,
        scores={review.impact.pk: 5, review.fit.pk: 5},
    )
    response = client_for(world.startup_user).get(f"/api/matches/{review.match.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Secret pricing view" not in text
    assert not {"reviews", "notes", "rubric", "reviewers"} & set(response.json())


def test_a_challenges_team_scores_in_one_read(world, client_for, review):
    other = Match.objects.create(
        challenge=review.challenge,
        startup=StartupProfileFactory(organization=world.other_startup),
        score=0.5,
        rank=2,
    )
    Match.objects.create(
        challenge=review.challenge,
        startup=StartupProfileFactory(organization=OrganizationFactory(kind="startup")),
        score=0.4,
        rank=3,
    )  # scored by nobody: not listed
    for user, match, impact, fit in [
        (world.enterprise_user, review.match, 5, 1),
        (review.colleague, review.match, 2, 2),
        (review.colleague, other, 3, 3),
    ]:
        services.review_submit(
            actor=actor_for(user),
            match=match,
            scores={review.impact.pk: impact, review.fit.pk: fit},
        )
    url = f"/api/challenges/{review.challenge.pk}/reviews/"
    mine = client_for(world.enterprise_user).get(url).json()
    assert mine == [
        {
            "match": review.match.pk,
            "blind": False,
            "aggregate": {"count": 2, "mean": "3.00", "lowest": "2.00", "highest": "4.00"},
        },
        {
            "match": other.pk,
            "blind": True,
            "aggregate": {"count": 1, "mean": None, "lowest": None, "highest": None},
        },
    ]
    operator = client_for(world.operator_user).get(url).json()
    assert [row["aggregate"]["mean"] for row in operator] == ["3.00", "3.00"]
    for role in ("other_enterprise", "startup"):
        assert client_for(world.user(role)).get(url).status_code == 404
