"""The team review pages through Django's test client: who opens them, what the forms do, and
that nothing of the review reaches the startup's pages."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.accounts.selectors import actor_for
from backend.reviews import services
from backend.reviews.models import Review, ReviewerAssignment

pytestmark = pytest.mark.django_db


def client_as(user, lang: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client


def _score(review, impact: int, fit: int) -> dict:
    return {f"score_{review.impact.pk}": impact, f"score_{review.fit.pk}": fit}


def test_a_member_scores_on_the_page_and_sees_the_team_score(world, review):
    services.review_submit(
        actor=actor_for(world.enterprise_user),
        match=review.match,
        scores={review.impact.pk: 5, review.fit.pk: 1},
    )
    client = client_as(review.colleague)
    page = client.get(f"/matches/{review.match.pk}/review/").content.decode()
    assert "Internal: only your firm sees this" in page
    assert "Score it yourself first" in page and "4.00" not in page
    response = client.post(f"/matches/{review.match.pk}/review/score/", _score(review, 2, 2))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "data-mean>3.00 / 5<" in page and "2.00–4.00" in page
    assert Review.objects.filter(reviewer=review.colleague).exists()


def test_a_missing_score_is_shown_beside_its_criterion(world, review):
    response = client_as(world.enterprise_user).post(
        f"/matches/{review.match.pk}/review/score/", {f"score_{review.impact.pk}": 3}
    )
    assert response.status_code == 400
    assert "Give this criterion a score from 1 to 5." in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("role", ["other_enterprise", "startup"])
def test_outside_the_firm_the_review_pages_do_not_exist(world, review, role):
    client = client_as(world.user(role))
    match = review.match.pk
    assert client.get(f"/matches/{match}/review/").status_code == 404
    assert client.get(f"/challenges/{review.challenge.pk}/rubric/").status_code == 404
    posted = client.post(f"/matches/{match}/review/score/", _score(review, 3, 3))
    noted = client.post(f"/matches/{match}/review/notes/", {"text": "x"})
    assert (posted.status_code, noted.status_code) == (404, 404)


def test_operators_read_the_review_without_its_forms(world, review):
    services.note_add(actor=actor_for(world.enterprise_user), match=review.match, text="Ask yields")
    client = client_as(world.operator_user)
    page = client.get(f"/matches/{review.match.pk}/review/").content.decode()
    assert "Ask yields" in page and "Save my scores" not in page and "Add note" not in page
    posted = client.post(f"/matches/{review.match.pk}/review/score/", _score(review, 3, 3))
    assert posted.status_code == 404


def test_notes_and_reviewers_on_the_page(world, review):
    client = client_as(world.enterprise_user)
    url = f"/matches/{review.match.pk}/review/"
    client.post(f"{url}notes/", {"text": "Strong team, unclear pricing."})
    client.post(f"{url}reviewers/", {"reviewer": review.colleague.pk})
    page = client.get(url).content.decode()
    assert "Strong team, unclear pricing." in page
    assert ReviewerAssignment.objects.filter(reviewer=review.colleague).exists()
    outsider = client.post(f"{url}reviewers/", {"reviewer": world.other_enterprise_user.pk})
    assert outsider.status_code == 400
    removed = client.post(f"{url}reviewers/{review.colleague.pk}/remove/")
    assert removed.status_code == 302 and not ReviewerAssignment.objects.exists()


def test_the_startup_sees_nothing_of_the_review(world, review):
    services.note_add(
        actor=actor_for(world.enterprise_user), match=review.match, text="Our private view"
    )
    client = client_as(world.startup_user)
    for url in ["/for-you/", f"/challenges/{review.challenge.pk}/"]:
        page = client.get(url).content.decode()
        assert "Our private view" not in page and "Team review" not in page, url


def test_the_firm_sets_its_rubric_on_a_page(world, challenge):
    client = client_as(world.enterprise_user)
    url = f"/challenges/{challenge.pk}/rubric/"
    data = {"criteria-TOTAL_FORMS": 6, "criteria-INITIAL_FORMS": 0}
    rows = [("Team", "", 2), ("Cost", "Unit cost at volume", 5)]
    for i in range(6):
        name, description, weight = rows[i] if i < len(rows) else ("", "", 1)
        data |= {f"criteria-{i}-name": name, f"criteria-{i}-description": description}
        data[f"criteria-{i}-weight"] = weight
    assert client.post(url, data).status_code == 302
    assert [(c.name, c.weight) for c in challenge.rubric.criteria.all()] == [
        ("Team", 2),
        ("Cost", 5),
    ]
    data["criteria-1-name"] = ""
    refused = client.post(url, data, follow=True).content.decode()
    assert "A rubric has 2 to 6 criteria." in refused
    assert challenge.rubric.criteria.count() == 2


def test_the_pages_speak_chinese(world, review):
    page = client_as(world.enterprise_user, "zh-hans").get(f"/matches/{review.match.pk}/review/")
    text = page.content.decode()
    assert "团队评审" in text and "仅贵公司可见" in text
