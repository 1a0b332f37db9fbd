"""The pages through Django's test client: who may open what, forms and their errors, the
language switch. Writes that would index (publish, profile save) commit nothing here, so the
model never loads, except in the search tests (marked slow), which index a few rows with it."""

from __future__ import annotations

import ast
import csv
import gettext
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from backend.accounts.models import Organization, User
from backend.chat.services import conversation_open_for_match
from backend.matches import engine
from backend.matches.models import Match
from backend.programs.models import Accelerator, Challenge, CohortMembership
from backend.programs.services import OPERATOR_MOVES
from tests.factories import (
    PASSWORD,
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
    OrganizationFactory,
    StartupProfileFactory,
    index_documents,
)

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "pairs": [
        {
            "requirement": "Low-power neural network inference on edge devices.",
            "capability": "We compress neural networks to run on microcontrollers.",
            "similarity": 0.71,
        }
    ],
    "shared_terms": ["neural", "networks"],
}


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages link their static files; without `collectstatic` there is no hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def client_as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make_match(challenge: Challenge, profile, **extra) -> Match:
    values = {"score": 1.5, "rank": 1, "ranked_among": 260, "evidence": EVIDENCE} | extra
    return Match.objects.create(challenge=challenge, startup=profile, **values)


def queries_for(client: Client, url: str) -> int:
    """How many queries one GET of `url` runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def errors_of(html: str, field: str) -> str:
    """The error list rendered inside one field's block, or ""."""
    block = re.search(rf'data-field="{field}">(.*?)(?=data-field="|</form>)', html, flags=re.S)
    errors = block and re.search(r'<ul class="field-errors".*?</ul>', block.group(1), flags=re.S)
    return errors.group(0) if errors else ""


# -- signing in and up ------------------------------------------------------------------------


def test_pages_ask_anonymous_visitors_to_sign_in(world):
    client = client_as(None)
    assert client.get("/").url == "/accounts/login/"
    for path in ("/for-you/", "/profile/", "/operator/", "/conversations/", "/challenges/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_sign_in_with_a_wrong_password_says_so_and_a_right_one_goes_home(world):
    client = client_as(None)
    response = client.post(
        "/accounts/login/", {"username": world.startup_user.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": world.startup_user.email, "password": PASSWORD}
    )
    assert response.url == "/"
    assert client.get("/").templates[0].name == "web/startup/dashboard.html"


def test_sign_up_creates_the_organisation_unverified_and_asks_to_check_the_inbox(db):
    client = client_as(None)
    response = client.post(
        "/accounts/signup/",
        {
            "kind": "enterprise",
            "organization_name": "Lingang Power",
            "full_name": "Li Wei",
            "email": "li@lingang.test",
            "password": "a-long-enough-password",
        },
    )
    assert response.url == "/accounts/signup/sent/"
    user = User.objects.get(email="li@lingang.test")
    assert user.organizations.get().kind == Organization.Kind.ENTERPRISE
    assert not user.email_verified
    assert client.get("/").url == "/accounts/login/"  # not signed in until verified


def test_sign_up_errors_stand_next_to_their_fields(world):
    client = client_as(None)
    html = client.post(
        "/accounts/signup/",
        {
            "kind": "operator",
            "organization_name": "",
            "email": world.startup_user.email,
            "password": "a-long-enough-password",
        },
    ).content.decode()
    assert "is not one of the available choices" in errors_of(html, "kind")
    assert "This field is required." in errors_of(html, "organization_name")
    assert errors_of(html, "email") == ""  # the form is invalid before the service runs
    response = client.post(
        "/accounts/signup/",
        {
            "kind": "startup",
            "organization_name": "Twice",
            "email": world.startup_user.email,
            "password": "a-long-enough-password",
        },
    )
    # An existing address is answered as a new one (its owner is mailed instead).
    assert response.url == "/accounts/signup/sent/"
    assert not Organization.objects.filter(name="Twice").exists()
    html = client.post(
        "/accounts/signup/",
        {
            "kind": "startup",
            "organization_name": "Digits",
            "email": "new@digits.test",
            "password": "1234567890",
        },
    ).content.decode()
    assert "entirely numeric" in errors_of(html, "password")
    assert not User.objects.filter(email="new@digits.test").exists()


def test_home_sends_each_kind_to_its_own_page(world, accelerator):
    assert client_as(world.operator_user).get("/").url == "/operator/"
    firm = client_as(world.enterprise_user).get("/")
    assert firm.templates[0].name == "web/firm/dashboard.html"
    assert accelerator.name in firm.content.decode()
    startup = client_as(world.startup_user).get("/")
    assert startup.templates[0].name == "web/startup/dashboard.html"


def test_pages_of_another_kind_of_organisation_do_not_exist_for_you(world):
    startup = client_as(world.startup_user)
    for path in ("/challenges/new/", "/accelerators/new/", "/operator/"):
        assert startup.get(path).status_code == 404
    firm = client_as(world.enterprise_user)
    for path in ("/profile/", "/for-you/", "/invitations/", "/operator/"):
        assert firm.get(path).status_code == 404


# -- a firm's challenges ---------------------------------------------------------------------


def test_a_firm_creates_edits_publishes_and_closes_its_challenge(world, accelerator):
    client = client_as(world.enterprise_user)
    response = client.post(
        "/challenges/new/",
        {
            "accelerator": accelerator.pk,
            "title": "Low-power inference",
            "problem_statement": "Run models on sensor boards.",
            "required_capabilities": "Model quantisation\n\nEmbedded ML\n",
            "industry_tags": "chips，edge, ",
            "trl_min": 3,
            "trl_max": 7,
            "budget_currency": "CNY",
            "language": "en",
            "visibility": "public",
        },
    )
    challenge = Challenge.objects.get(title="Low-power inference")
    assert response.url == f"/challenges/{challenge.pk}/"
    assert challenge.status == Challenge.Status.DRAFT
    assert challenge.required_capabilities == ["Model quantisation", "Embedded ML"]
    assert challenge.industry_tags == ["chips", "edge"]
    assert challenge.created_by == world.enterprise_user

    edit = client.get(f"/challenges/{challenge.pk}/edit/").content.decode()
    assert "Model quantisation\nEmbedded ML</textarea>" in edit
    client.post(f"/challenges/{challenge.pk}/publish/")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.OPEN
    client.post(f"/challenges/{challenge.pk}/close/")
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CLOSED
    response = client.post(f"/challenges/{challenge.pk}/close/", follow=True)
    assert "A challenge that is Closed cannot become Closed." in response.content.decode()


def test_challenge_form_errors_stand_next_to_their_fields(world, accelerator):
    foreign = AcceleratorFactory(enterprise=world.other_enterprise)
    client = client_as(world.enterprise_user)
    html = client.post(
        "/challenges/new/",
        {
            "accelerator": foreign.pk,
            "title": "",
            "problem_statement": "x",
            "trl_min": 7,
            "trl_max": 3,
            "language": "en",
            "visibility": "public",
        },
    ).content.decode()
    assert "Select a valid choice" in errors_of(html, "accelerator")
    assert "This field is required." in errors_of(html, "title")
    assert "The highest TRL must not be below the lowest." in errors_of(html, "trl_max")
    assert errors_of(html, "problem_statement") == ""
    assert 'aria-invalid="true"' in html
    assert not Challenge.objects.filter(problem_statement="x").exists()


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "The deadline has passed: choose today or a later day."), ("zh-hans", "截止日期已过")],
)
def test_a_deadline_in_the_past_is_refused_next_to_its_field(world, accelerator, lang, message):
    client = client_as(world.enterprise_user)
    client.cookies["django_language"] = lang
    html = client.post(
        "/challenges/new/",
        {
            "accelerator": accelerator.pk,
            "title": "Late brief",
            "problem_statement": "Too late.",
            "deadline": "2020-01-01",
            "trl_min": 1,
            "trl_max": 9,
            "language": "en",
            "visibility": "public",
        },
    ).content.decode()
    assert message in errors_of(html, "deadline")
    assert not Challenge.objects.filter(title="Late brief").exists()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_budgets_group_their_digits_in_both_languages(world, accelerator, lang):
    challenge = ChallengeFactory(
        accelerator=accelerator, budget_min=300000, budget_max=1500000, budget_currency="CNY"
    )
    client = client_as(world.enterprise_user)
    client.cookies["django_language"] = lang
    html = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "300,000 – 1,500,000 CNY" in html


@pytest.mark.parametrize(
    ("lang", "for_startups", "for_firms"),
    [
        ("en", ["Describe what you can solve", "Your TRL"], ["Search the open challenges"]),
        ("zh-hans", ["你们的 TRL"], ["搜索开放需求", "需求的 TRL 范围包含"]),
    ],
)
def test_the_open_challenges_page_speaks_to_whoever_reads_it(
    world, accelerator, lang, for_startups, for_firms
):
    pages = {}
    for role, user in (("startup", world.startup_user), ("firm", world.enterprise_user)):
        client = client_as(user)
        client.cookies["django_language"] = lang
        pages[role] = client.get("/challenges/").content.decode()
    for text in for_startups:
        assert text in pages["startup"] and text not in pages["firm"], text
    for text in for_firms:
        assert text in pages["firm"] and text not in pages["startup"], text


def _current_nav_links(html: str) -> list[str]:
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)" aria-current="page"', nav)


def test_every_firm_page_marks_one_place_in_the_navigation(world, accelerator, challenge):
    cohort = CohortFactory(accelerator=accelerator)
    client = client_as(world.enterprise_user)
    places = {
        "/": "/",
        f"/accelerators/{accelerator.pk}/edit/": "/",
        "/accelerators/new/": "/",
        f"/challenges/{challenge.pk}/": "/",
        f"/challenges/{challenge.pk}/edit/": "/",
        f"/challenges/{challenge.pk}/matches/": "/",
        f"/cohorts/{cohort.pk}/": "/",
        "/challenges/new/": "/challenges/new/",
        "/challenges/": "/challenges/",
        "/conversations/": "/conversations/",
    }
    for page, place in places.items():
        assert _current_nav_links(client.get(page).content.decode()) == [place], page


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "This page does not exist, or it is not yours to see."), ("zh-hans", "此页面不存在")],
)
def test_an_unknown_address_gets_the_projects_own_page(world, lang, text):
    client = client_as(world.startup_user)
    client.cookies["django_language"] = lang
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert text in html
    assert 'class="mainnav"' in html and "data-lang-form" in html


def test_a_firm_edits_and_pauses_its_own_accelerator_only(world, accelerator):
    client = client_as(world.enterprise_user)
    assert f"/accelerators/{accelerator.pk}/edit/" in client.get("/").content.decode()
    edit = f"/accelerators/{accelerator.pk}/edit/"
    html = client.post(edit, {"name": "", "status": "paused"}).content.decode()
    assert "This field is required." in errors_of(html, "name")
    accelerator.refresh_from_db()
    assert accelerator.status == Accelerator.Status.ACTIVE  # nothing saved from a bad form
    response = client.post(
        edit, {"name": "Storage Chain Programme", "industry_focus": "storage", "status": "paused"}
    )
    assert response.url == "/"
    accelerator.refresh_from_db()
    assert (accelerator.name, accelerator.status) == ("Storage Chain Programme", "paused")
    foreign = AcceleratorFactory(enterprise=world.other_enterprise)
    assert client.get(f"/accelerators/{foreign.pk}/edit/").status_code == 404
    assert client.post(f"/accelerators/{foreign.pk}/edit/", {"name": "x"}).status_code == 404
    assert client_as(world.startup_user).get(edit).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "x"


def test_another_firms_challenge_cannot_be_edited_published_or_reviewed(world):
    foreign = ChallengeFactory(accelerator=AcceleratorFactory(enterprise=world.other_enterprise))
    client = client_as(world.enterprise_user)
    assert client.get(f"/challenges/{foreign.pk}/edit/").status_code == 404
    assert client.post(f"/challenges/{foreign.pk}/close/").status_code == 404
    assert client.get(f"/challenges/{foreign.pk}/matches/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Challenge.Status.OPEN
    # A public open challenge of another firm can still be read.
    assert client.get(f"/challenges/{foreign.pk}/").status_code == 200


def test_a_confidential_challenge_is_found_only_by_the_startups_matched_with_it(world, accelerator):
    secret = ChallengeFactory(accelerator=accelerator, visibility=Challenge.Visibility.CONFIDENTIAL)
    make_match(secret, StartupProfileFactory(organization=world.startup))
    assert client_as(world.startup_user).get(f"/challenges/{secret.pk}/").status_code == 200
    outsider = client_as(world.other_startup_user)
    response = outsider.get(f"/challenges/{secret.pk}/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()
    assert secret.title not in outsider.get("/challenges/").content.decode()
    # The matched startup sees it listed, marked confidential.
    listed = client_as(world.startup_user).get("/challenges/").content.decode()
    assert secret.title in listed and "pill-confidential" in listed
    assert (
        client_as(world.other_enterprise_user).get(f"/challenges/{secret.pk}/").status_code == 404
    )


# -- matches ---------------------------------------------------------------------------------


def test_a_firm_reviews_matches_with_evidence_and_filters(world, challenge, profile):
    make_match(challenge, profile)
    other = StartupProfileFactory(
        organization=world.other_startup, stage="growth", region="Anhui", trl=9
    )
    make_match(challenge, other, status=Match.Status.DECLINED)
    client = client_as(world.enterprise_user)
    html = client.get(f"/challenges/{challenge.pk}/matches/").content.decode()
    assert profile.name in html and other.name not in html  # declined: its own tab
    assert "<mark>neural</mark> <mark>networks</mark>" in html
    assert "of 260 startups" in html  # where it stands, not a bare score
    assert (
        other.name
        in client.get(f"/challenges/{challenge.pk}/matches/?tab=declined").content.decode()
    )
    filtered = client.get(f"/challenges/{challenge.pk}/matches/?stage=growth").content.decode()
    assert profile.name not in filtered
    assert "score " not in html  # a bare score means nothing to a reader
    Match.objects.filter(startup=profile).update(rank=12)
    top = client.get(f"/challenges/{challenge.pk}/matches/?max_rank=10").content.decode()
    assert profile.name not in top
    assert (
        profile.name
        in client.get(f"/challenges/{challenge.pk}/matches/?max_rank=12").content.decode()
    )
    html = client.get(f"/challenges/{challenge.pk}/matches/?trl_min=8&trl_max=2").content.decode()
    assert "The highest TRL must not be below the lowest." in errors_of(html, "trl_max")
    # Operators read the same page, without the buttons.
    operator = client_as(world.operator_user).get(f"/challenges/{challenge.pk}/matches/")
    assert profile.name in operator.content.decode()
    assert "/interest/" not in operator.content.decode()


@pytest.mark.parametrize(
    ("lang", "promise"),
    [("en", "those where you rank highest first"), ("zh-hans", "按你的排名从高到低")],
)
def test_for_you_lists_where_the_startup_ranks_highest_first(
    world, accelerator, profile, lang, promise
):
    """The order follows the rank each card shows, not scores from different challenges'
    rankings, which are not on one scale."""
    fourth = ChallengeFactory(accelerator=accelerator, title="Ranked fourth")
    ninth = ChallengeFactory(accelerator=accelerator, title="Ranked ninth")
    make_match(fourth, profile, rank=4, score=2.0)
    make_match(ninth, profile, rank=9, score=11.8)
    client = client_as(world.startup_user)
    client.cookies["django_language"] = lang
    html = client.get("/for-you/").content.decode()
    assert promise in html
    assert html.index("Ranked fourth") < html.index("Ranked ninth")


def test_interest_from_both_sides_connects_and_opens_the_conversation(world, challenge, profile):
    match = make_match(challenge, profile)
    startup = client_as(world.startup_user)
    response = startup.post(f"/matches/{match.pk}/interest/", HTTP_ACCEPT="application/json")
    assert response.json()["status"] == Match.Status.STARTUP_INTERESTED
    assert "Waiting for the firm" in response.json()["html"]
    firm = client_as(world.enterprise_user)
    response = firm.post(f"/matches/{match.pk}/interest/", {"next": "/conversations/"})
    assert response.url == "/conversations/"
    match.refresh_from_db()
    assert match.status == Match.Status.CONNECTED
    card = firm.get(f"/matches/{match.pk}/card/").json()["html"]
    assert f"/conversations/{match.conversation.pk}/" in card


def test_a_decline_keeps_its_reason_and_a_foreign_match_is_not_found(world, challenge, profile):
    match = make_match(challenge, profile)
    client = client_as(world.startup_user)
    client.post(
        f"/matches/{match.pk}/decline/", {"reason_code": "timing", "feedback": "Outside our field."}
    )
    match.refresh_from_db()
    assert (match.status, match.reason_code, match.feedback) == (
        Match.Status.DECLINED,
        "timing",
        "Outside our field.",
    )
    outsider = client_as(world.other_startup_user)
    assert outsider.post(f"/matches/{match.pk}/interest/").status_code == 404
    assert outsider.get(f"/matches/{match.pk}/card/").status_code == 404
    other_firm = client_as(world.other_enterprise_user)
    assert other_firm.post(f"/matches/{match.pk}/decline/").status_code == 404


def test_an_off_site_next_is_not_followed(world, challenge, profile):
    match = make_match(challenge, profile)
    response = client_as(world.startup_user).post(
        f"/matches/{match.pk}/interest/", {"next": "https://evil.example/"}
    )
    assert response.url == "/for-you/"


# -- a startup's pages -------------------------------------------------------------------------


def test_a_startup_saves_its_profile_and_sees_errors_next_to_fields(world):
    client = client_as(world.startup_user)
    assert client.get("/profile/").status_code == 200
    html = client.post(
        "/profile/",
        {"name": "TinyML Labs", "stage": "seed", "trl": 12, "website": "not a url"},
    ).content.decode()
    assert "less than or equal to 9" in errors_of(html, "trl")
    assert "Enter a valid URL." in errors_of(html, "website")
    response = client.post(
        "/profile/",
        {
            "name": "TinyML Labs",
            "pitch": "Tiny models.",
            "capabilities": "Quantisation\nPruning",
            "technology_tags": "tinyml, edge",
            "stage": "seed",
            "trl": 5,
            "published": "on",
        },
    )
    assert response.url == "/profile/"
    profile = world.startup.startup_profile
    assert profile.capabilities == ["Quantisation", "Pruning"]
    assert profile.published
    assert "How firms see you" in client.get("/profile/").content.decode()


def test_challenges_for_you_lists_only_the_startups_own_matches(world, challenge, profile):
    make_match(challenge, profile)
    other = ChallengeFactory(accelerator=challenge.accelerator, title="Someone else's match")
    make_match(other, StartupProfileFactory(organization=world.other_startup))
    html = client_as(world.startup_user).get("/for-you/").content.decode()
    assert challenge.title in html
    assert "Someone else&#x27;s match" not in html and "Someone else's match" not in html


def test_the_open_challenge_list_filters_without_a_query(world, accelerator):
    ChallengeFactory(
        accelerator=accelerator, title="Wafer inspection", industry_tags=["semiconductors"]
    )
    ChallengeFactory(accelerator=accelerator, title="Steel", industry_tags=["metals"])
    ChallengeFactory(accelerator=accelerator, title="Draft one", status=Challenge.Status.DRAFT)
    html = client_as(world.startup_user).get("/challenges/?tags=metals").content.decode()
    assert "Steel" in html and "Wafer inspection" not in html
    html = client_as(world.startup_user).get("/challenges/").content.decode()
    assert "Draft one" not in html


@pytest.fixture
def search_spaces():
    """In-memory search spaces of this test's database only."""
    engine.registry.reset()
    yield
    engine.registry.reset()


NONSENSE = "xyzzy quantum basket weaving"


@pytest.mark.slow
def test_a_search_that_nothing_fits_says_so_and_what_to_try(world, accelerator, search_spaces):
    battery = ChallengeFactory(
        accelerator=accelerator,
        title="Batteries that charge in minutes",
        problem_statement="Lithium-ion cells that charge at 3C and survive high shock.",
        industry_tags=["batteries"],
    )
    index_documents(battery)
    client = client_as(world.startup_user)
    html = client.get("/challenges/", {"q": "lithium-ion battery cells"}).content.decode()
    assert battery.title in html and "data-search-empty" not in html

    html = client.get("/challenges/", {"q": NONSENSE}).content.decode()
    assert battery.title not in html
    assert "data-search-empty" in html and "Nothing fits this search" in html
    assert "fewer or more general words" in html
    assert "A search in Chinese finds challenges written in English too" in html
    assert "Search without filters" not in html  # there are none to drop
    html = client.get("/challenges/", {"q": NONSENSE, "tags": "batteries"}).content.decode()
    assert battery.title not in html
    assert '<a href="/challenges/?q=xyzzy%20quantum%20basket%20weaving">' in html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/challenges/"})
    html = client.get("/challenges/", {"q": NONSENSE}).content.decode()
    assert "没有符合这次搜索的结果" in html and "中文搜索也能找到英文需求" in html


@pytest.mark.slow
def test_the_cohort_board_search_says_when_no_startup_fits(world, accelerator, search_spaces):
    profile = StartupProfileFactory(
        organization=world.startup,
        name="VoltCell",
        summary="Lithium-ion battery cells that charge fast and survive shock.",
        capabilities=["Fast-charging lithium-ion cells"],
    )
    index_documents(profile)
    cohort = CohortFactory(accelerator=accelerator)
    client = client_as(world.operator_user)
    board = client.get(f"/cohorts/{cohort.pk}/", {"q": "lithium-ion battery cells"})
    assert [found.name for found, _score, _taken in board.context["results"]] == ["VoltCell"]
    assert "data-search-empty" not in board.content.decode()

    board = client.get(f"/cohorts/{cohort.pk}/", {"q": NONSENSE})
    assert board.context["results"] == []
    html = board.content.decode()
    assert "No startup fits this search." in html and "fewer or more general words" in html


def test_a_startup_answers_its_invitation_and_capacity_is_enforced(world):
    cohort = CohortFactory(capacity=1)
    mine = CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.INVITED
    )
    theirs = CohortMembershipFactory(
        cohort=cohort, startup=world.other_startup, status=CohortMembership.Status.INVITED
    )
    client = client_as(world.startup_user)
    assert cohort.name in client.get("/invitations/").content.decode()
    assert (
        client.post(f"/invitations/{theirs.pk}/answer/", {"status": "accepted"}).status_code == 404
    )
    response = client.post(f"/invitations/{mine.pk}/answer/", {"status": "accepted"}, follow=True)
    assert f"Welcome to {cohort.name}!" in response.content.decode()
    response = client_as(world.other_startup_user).post(
        f"/invitations/{theirs.pk}/answer/", {"status": "accepted"}, follow=True
    )
    assert "The cohort is full" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == CohortMembership.Status.INVITED


@pytest.mark.parametrize(
    ("lang", "full", "taken"),
    [
        ("en", "Every place in this cohort is taken", "1 of 1 places taken"),
        ("zh-hans", "该批次的名额已满", "已占 1 / 1 个名额"),
    ],
)
def test_a_full_cohort_offers_no_accept_only_decline(world, lang, full, taken):
    cohort = CohortFactory(capacity=1)
    CohortMembershipFactory(cohort=cohort, status=CohortMembership.Status.ACCEPTED)
    mine = CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.INVITED
    )
    client = client_as(world.startup_user)
    client.cookies["django_language"] = lang
    html = client.get("/invitations/").content.decode()
    assert full in html and taken in html
    assert 'value="accepted"' not in html
    assert 'value="declined"' in html
    CohortMembership.objects.filter(cohort=cohort).exclude(pk=mine.pk).delete()
    html = client.get("/invitations/").content.decode()
    assert full not in html
    assert 'value="accepted"' in html


@pytest.mark.parametrize(
    ("lang", "warning"),
    [
        ("en", "3 startups are invited for 1 place left"),
        ("zh-hans", "已邀请 3 家初创企业，但只剩 1 个名额"),
    ],
)
def test_the_board_warns_when_invitations_outnumber_the_places_left(world, lang, warning):
    cohort = CohortFactory(capacity=2)
    CohortMembershipFactory(cohort=cohort, status=CohortMembership.Status.ACCEPTED)
    invited = [
        CohortMembershipFactory(cohort=cohort, status=CohortMembership.Status.INVITED)
        for _ in range(3)
    ]
    client = client_as(world.operator_user)
    client.cookies["django_language"] = lang
    board = f"/cohorts/{cohort.pk}/"
    assert warning in client.get(board).content.decode()
    CohortMembership.objects.filter(pk__in=[m.pk for m in invited[1:]]).delete()
    assert "data-overbooked" not in client.get(board).content.decode()


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["Please answer by", "What a place gives", "Invited on", "Mentoring and a pilot"]),
        ("zh-hans", ["前答复", "入选可获得的支持", "受邀", "Mentoring and a pilot"]),
    ],
)
def test_an_invitation_says_what_a_place_gives_and_by_when_to_answer(world, lang, texts):
    today = timezone.localdate()
    cohort = CohortFactory(
        benefits="Mentoring and a pilot",
        reply_by=today + timezone.timedelta(days=7),
        intake_start=today + timezone.timedelta(days=30),
    )
    CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.INVITED
    )
    client = client_as(world.startup_user)
    client.cookies["django_language"] = lang
    html = client.get("/invitations/").content.decode()
    for text in texts:
        assert text in html, text


def test_a_cohort_asks_for_answers_before_its_intake_starts(world, accelerator):
    today = timezone.localdate()
    response = client_as(world.operator_user).post(
        f"/accelerators/{accelerator.pk}/cohorts/new/",
        {
            "name": "Late answers",
            "capacity": 3,
            "intake_start": today.isoformat(),
            "reply_by": (today + timezone.timedelta(days=3)).isoformat(),
        },
    )
    assert "Invitations need an answer before the intake starts." in errors_of(
        response.content.decode(), "reply_by"
    )


def test_connected_match_lists_do_not_query_once_per_card(world, challenge, profile):
    """Each connected card links its conversation: loaded with the list, not card by card."""
    firm, startup = client_as(world.enterprise_user), client_as(world.startup_user)
    firm_page = f"/challenges/{challenge.pk}/matches/?tab=connected"
    startup_page = "/for-you/?tab=connected"

    def connect(challenge, profile, rank):
        match = make_match(challenge, profile, status=Match.Status.CONNECTED, rank=rank)
        conversation_open_for_match(match=match)

    connect(challenge, profile, 1)
    one = queries_for(firm, firm_page), queries_for(startup, startup_page)
    for rank in range(2, 5):
        other = OrganizationFactory(kind=Organization.Kind.STARTUP)
        connect(challenge, StartupProfileFactory(organization=other), rank)
        connect(ChallengeFactory(accelerator=challenge.accelerator), profile, rank)
    html = firm.get(firm_page).content.decode()
    assert html.count("Open conversation") == 4
    assert startup.get(startup_page).content.decode().count("Open conversation") == 4
    assert (queries_for(firm, firm_page), queries_for(startup, startup_page)) == one


def test_the_invitations_page_does_not_query_once_per_cohort(world):
    def invite(status=CohortMembership.Status.INVITED):
        return CohortMembershipFactory(startup=world.startup, status=status).cohort

    client = client_as(world.startup_user)
    first = invite()
    one = queries_for(client, "/invitations/")
    cohorts = [invite(), invite(CohortMembership.Status.ACCEPTED), invite()]
    invite(CohortMembership.Status.SHORTLISTED)  # neither of these is shown
    invite(CohortMembership.Status.WITHDRAWN)
    html = client.get("/invitations/").content.decode()
    for cohort in [first, *cohorts]:
        assert cohort.accelerator.enterprise.name in html
    assert html.count('class="card invitation ') == 4
    assert queries_for(client, "/invitations/") == one


# -- operators -----------------------------------------------------------------------------------


def test_the_operator_overview_shows_the_funnel(world, challenge, profile):
    make_match(
        challenge,
        profile,
        status=Match.Status.CONNECTED,
        startup_interested_at=challenge.created_at,
    )
    response = client_as(world.operator_user).get("/operator/")
    funnel = next(f for f in response.context["funnels"] if f.accelerator == challenge.accelerator)
    assert (funnel.proposed, funnel.interested, funnel.connected, funnel.cohort) == (1, 1, 1, 0)


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ["Invite", "Remove", "Withdraw", "Withdraw", "Invite again", "Back to shortlist"]),
        ("zh-hans", ["邀请", "移除", "撤回", "撤回", "再次邀请", "移回候选"]),
    ],
)
def test_each_card_offers_the_moves_the_service_allows_in_the_readers_words(world, lang, labels):
    cohort = CohortFactory()
    for status in CohortMembership.Status.values:
        CohortMembershipFactory(cohort=cohort, status=status)
    client = client_as(world.operator_user)
    client.cookies["django_language"] = lang
    board = client.get(f"/cohorts/{cohort.pk}/")
    cards = [
        *board.context["withdrawn"],
        *(m for _s, _l, ms in board.context["columns"] for m in ms),
    ]
    for card in cards:
        offered = {target for target, _label in card.moves}
        assert offered == OPERATOR_MOVES.get(card.status, set()), card.status
    said = [
        str(label)
        for status in CohortMembership.Status.values
        for card in cards
        if card.status == status
        for _target, label in card.moves
    ]
    assert said == labels


def test_an_operator_curates_the_cohort_board_and_exports_it(world, challenge, profile):
    make_match(challenge, profile)
    cohort = CohortFactory(accelerator=challenge.accelerator, capacity=2)
    client = client_as(world.operator_user)
    board = client.get(f"/cohorts/{cohort.pk}/")
    assert [c.name for c in board.context["candidates"]] == [profile.name]
    client.post(
        f"/cohorts/{cohort.pk}/add/", {"startup": world.startup.pk, "status": "shortlisted"}
    )
    membership = CohortMembership.objects.get(cohort=cohort, startup=world.startup)
    assert membership.status == CohortMembership.Status.SHORTLISTED
    client.post(f"/cohorts/{cohort.pk}/members/{membership.pk}/move/", {"status": "invited"})
    membership.refresh_from_db()
    assert membership.status == CohortMembership.Status.INVITED
    # Operators cannot accept for the startup.
    response = client.post(
        f"/cohorts/{cohort.pk}/members/{membership.pk}/move/", {"status": "accepted"}, follow=True
    )
    assert (
        "A membership that is Invited cannot become Accepted by you." in response.content.decode()
    )
    # A startup that is not a startup profile anyone can see is refused.
    response = client.post(
        f"/cohorts/{cohort.pk}/add/",
        {"startup": world.enterprise.pk, "status": "invited"},
        follow=True,
    )
    assert "Choose a startup" in response.content.decode()
    export = client.get(f"/cohorts/{cohort.pk}/export.csv")
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeffStartup,Status,Stage,TRL,")
    assert f"{profile.name},Invited," in text


def _export_rows(user, cohort, lang="en") -> list[list[str]]:
    client = client_as(user)
    client.cookies["django_language"] = lang
    text = client.get(f"/cohorts/{cohort.pk}/export.csv").content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("lang", "header", "accepted"),
    [
        ("en", ["Startup", "Status", "Stage"], "Accepted"),
        ("zh-hans", ["初创企业", "状态", "发展阶段"], "已接受"),
    ],
)
def test_the_cohort_export_reads_as_a_person_would_in_their_language(
    world, accelerator, lang, header, accepted
):
    cohort = CohortFactory(accelerator=accelerator)
    StartupProfileFactory(organization=world.startup, stage="series-a")
    decided = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    CohortMembershipFactory(
        cohort=cohort,
        startup=world.startup,
        status=CohortMembership.Status.ACCEPTED,
        decided_at=decided,
        note="Strong team",
    )
    [head, row] = _export_rows(world.operator_user, cohort, lang)
    assert head[:3] == header and len(head) == len(row)
    assert row[1] == accepted
    assert "2026-12-01 17:30" in row  # Shanghai time, to the minute
    assert world.startup_user.email in row
    assert row[-1] == "Strong team"


def test_the_firm_exports_no_operators_note_and_contacts_only_its_accepted_startups(
    world, accelerator
):
    cohort = CohortFactory(accelerator=accelerator)
    CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.ACCEPTED, note="Keep"
    )
    CohortMembershipFactory(
        cohort=cohort,
        startup=world.other_startup,
        status=CohortMembership.Status.INVITED,
        note="Private doubts",
    )
    rows = _export_rows(world.enterprise_user, cohort)
    text = "\n".join(",".join(row) for row in rows)
    assert "Private doubts" not in text and "Keep" not in text
    assert "Operators' note" not in rows[0]
    assert world.startup_user.email in text
    assert world.other_startup_user.email not in text
    operator = "\n".join(",".join(r) for r in _export_rows(world.operator_user, cohort))
    assert "Private doubts" in operator and world.other_startup_user.email in operator


@pytest.mark.parametrize(("lang", "saved"), [("en", "Note saved."), ("zh-hans", "备注已保存。")])
def test_operators_write_and_read_their_note_on_the_board_and_no_one_else_does(
    world, accelerator, lang, saved
):
    cohort = CohortFactory(accelerator=accelerator)
    membership = CohortMembershipFactory(cohort=cohort, startup=world.startup)
    operator = client_as(world.operator_user)
    operator.cookies["django_language"] = lang
    note_url = f"/cohorts/{cohort.pk}/members/{membership.pk}/note/"
    response = operator.post(note_url, {"note": "Met them at the demo day"}, follow=True)
    assert saved in response.content.decode()
    assert "Met them at the demo day" in operator.get(f"/cohorts/{cohort.pk}/").content.decode()
    membership.refresh_from_db()
    assert membership.note == "Met them at the demo day"
    firm = client_as(world.enterprise_user)
    assert "Met them at the demo day" not in firm.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert firm.post(note_url, {"note": "x"}).status_code == 404
    assert operator.post(note_url, {"note": "x" * 2001}).status_code == 302
    membership.refresh_from_db()
    assert membership.note == "Met them at the demo day"


def test_the_firm_reads_its_cohort_board_others_do_not(world, accelerator):
    cohort = CohortFactory(accelerator=accelerator)
    CohortMembershipFactory(cohort=cohort, startup=world.startup)
    firm = client_as(world.enterprise_user).get(f"/cohorts/{cohort.pk}/")
    assert firm.status_code == 200
    assert "/move/" not in firm.content.decode()
    assert client_as(world.enterprise_user).post(f"/cohorts/{cohort.pk}/add/").status_code == 404
    assert client_as(world.other_enterprise_user).get(f"/cohorts/{cohort.pk}/").status_code == 404
    assert client_as(world.startup_user).get(f"/cohorts/{cohort.pk}/").status_code == 404
    assert (
        client_as(world.other_enterprise_user).get(f"/cohorts/{cohort.pk}/export.csv").status_code
        == 404
    )


# -- conversations -------------------------------------------------------------------------------


def test_conversations_are_listed_and_opened_only_by_their_parties(world, challenge, profile):
    match = make_match(challenge, profile, status=Match.Status.CONNECTED)
    conversation = conversation_open_for_match(match=match)
    startup = client_as(world.startup_user)
    assert world.enterprise.name in startup.get("/conversations/").content.decode()
    page = startup.get(f"/conversations/{conversation.pk}/")
    assert page.status_code == 200
    assert page.context["can_send"] is True
    assert (
        client_as(world.other_startup_user).get(f"/conversations/{conversation.pk}/").status_code
        == 404
    )
    operator = client_as(world.operator_user).get(f"/conversations/{conversation.pk}/")
    assert operator.context["can_send"] is False


def test_a_party_invites_an_operator_who_then_can_write(world, challenge, profile):
    match = make_match(challenge, profile, status=Match.Status.CONNECTED)
    conversation = conversation_open_for_match(match=match)
    page = f"/conversations/{conversation.pk}/"
    invite = f"{page}invite-operator/"
    firm = client_as(world.enterprise_user)
    form = firm.get(page).context["invite_form"]
    assert [user.pk for user in form.fields["operator"].queryset] == [world.operator_user.pk]
    # Only an operator can be invited, and only by a party; a stranger finds nothing.
    response = firm.post(invite, {"operator": world.startup_user.pk}, follow=True)
    assert "Choose an operator to invite." in response.content.decode()
    assert (
        client_as(world.other_startup_user)
        .post(invite, {"operator": world.operator_user.pk})
        .status_code
        == 404
    )
    operator = client_as(world.operator_user)
    assert operator.get(page).context["invite_form"] is None
    operator.post(invite, {"operator": world.operator_user.pk})
    assert operator.get(page).context["can_send"] is False
    response = firm.post(invite, {"operator": world.operator_user.pk}, follow=True)
    assert "can now read and write in this conversation" in response.content.decode()
    assert operator.get(page).context["can_send"] is True
    html = firm.get(page).content.decode()
    assert "data-chat-operators" in html and "Invite an operator" not in html  # all invited


# -- languages -------------------------------------------------------------------------------------


def test_the_language_switch_turns_the_pages_into_chinese(world):
    client = client_as(world.startup_user)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/for-you/"})
    assert response.url == "/for-you/"
    html = client.get("/for-you/").content.decode()
    assert '<html lang="zh-hans">' in html
    for text in ("为你推荐", "工作台", "会话", "退出"):
        assert text in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Challenges for you" in client.get("/for-you/").content.decode()


def po_entries(text: str) -> list[dict[str, str]]:
    """The entries of a .po file: keyword -> unquoted value (continuation lines joined)."""
    entries = []
    for block in text.strip().split("\n\n"):
        entry, key = {}, None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                entry[key] += json.loads(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = json.loads(value)
        entries.append(entry)
    return entries


def test_every_message_has_a_chinese_translation_and_the_catalogue_is_compiled():
    folder = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    entries = [e for e in po_entries(po) if e["msgid"]]
    assert len(entries) > 300
    for entry in entries:
        # gettext keys a message with a context as "context\x04message".
        key = "\x04".join(filter(None, [entry.get("msgctxt"), entry["msgid"]]))
        if "msgid_plural" in entry:
            assert entry["msgstr[0]"], entry["msgid"]
            assert compiled[(key, 0)] == entry["msgstr[0]"], "run msgfmt"
        else:
            assert entry["msgstr"], entry["msgid"]
            assert compiled[key] == entry["msgstr"], "run msgfmt"
    assert compiled["Challenges for you"] == "为你推荐"


def test_every_sentence_the_code_marks_for_translation_is_in_the_catalogue():
    """A service's message marked with `_()` but missing from the catalogue would reach a
    Chinese reader in English, from the API and the pages alike."""
    backend = Path(settings.LOCALE_PATHS[0]).parent
    with (backend / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    marked = {
        (path.relative_to(backend), node.args[0].value)
        for path in backend.rglob("*.py")
        if "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) in {"_", "gettext", "gettext_lazy"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(marked) > 500
    assert sorted(m for m in marked if not compiled.get(m[1])) == []


def test_the_admin_speaks_chinese_with_the_projects_own_name(world, challenge):
    operator = world.operator_user
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = client_as(operator)
    client.cookies["django_language"] = "zh-hans"
    index = client.get("/admin/").content.decode()
    assert "Cohortis 管理后台" in index and "Django" not in index
    for label in ("加速计划", "需求", "初创企业资料", "批次名额"):
        assert label in index, label
    form = client.get(f"/admin/programs/challenge/{challenge.pk}/change/").content.decode()
    for label in ("问题描述", "所需能力", "截止日期", "可见范围"):
        assert label in form, label


def test_every_field_of_the_admins_models_has_a_name_in_chinese():
    untranslated = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            if not model.__module__.startswith("backend."):
                continue
            names = [model._meta.verbose_name, model._meta.verbose_name_plural]
            names += [field.verbose_name for field in model._meta.fields if field.name != "id"]
            untranslated += [
                f"{model.__name__}: {name}" for name in names if re.search(r"[a-z]{3}", str(name))
            ]
    assert untranslated == []


def test_the_cohort_export_keeps_formulas_as_text(world, accelerator):
    cohort = CohortFactory(accelerator=accelerator)
    CohortMembershipFactory(cohort=cohort, startup=world.startup, note='=HYPERLINK("x")')
    text = client_as(world.operator_user).get(f"/cohorts/{cohort.pk}/export.csv").content
    assert '\'=HYPERLINK(""x"")' in text.decode("utf-8")


def test_the_matches_page_says_where_matching_stands_and_a_failure_can_be_retried(
    world, accelerator
):
    from backend.common.models import DocumentChange

    challenge = ChallengeFactory(accelerator=accelerator, matching_status="pending")
    firm = client_as(world.enterprise_user)
    page = firm.get(f"/challenges/{challenge.pk}/matches/").content.decode()
    assert 'data-state="pending"' in page and "Finding startups" in page
    Challenge.objects.filter(pk=challenge.pk).update(matching_status="failed")
    page = firm.get(f"/challenges/{challenge.pk}/matches/").content.decode()
    assert 'data-state="failed"' in page and "Matching failed" in page
    retry = f"/matching/challenge/{challenge.pk}/retry/"
    assert client_as(world.other_enterprise_user).post(retry).status_code == 404
    assert not DocumentChange.objects.exists()
    assert firm.post(retry).status_code == 302
    assert DocumentChange.objects.get().owner_id == challenge.pk
    challenge.refresh_from_db()
    assert challenge.matching_status == "pending"


def test_a_startups_page_says_it_is_finding_challenges_after_a_save(world):
    profile = StartupProfileFactory(organization=world.startup, matching_status="pending")
    page = client_as(world.startup_user).get("/for-you/").content.decode()
    assert f'data-document="{profile.pk}"' in page and "Finding challenges" in page


def test_no_template_comment_spans_lines():
    # Django's {# #} comments end at the line's end; one that spans lines is printed on the page.
    templates = Path(__file__).resolve().parents[2] / "backend" / "web" / "templates"
    broken = [
        f"{path.relative_to(templates)}:{number}"
        for path in templates.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert broken == []


# -- applications, feedback and the timeline, in the pages --------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name: str = "deck.pdf", content: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_startup_applies_from_the_challenge_page_with_a_pdf(
    world, challenge, profile, media_in_tmp
):
    startup = client_as(world.startup_user)
    page = startup.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "Apply to this challenge" in page and "within 10 working days" in page
    response = startup.post(
        f"/challenges/{challenge.pk}/apply/",
        {"pitch": "Our inference runs at 2 mW.", "documents": [pdf()]},
    )
    assert response.status_code == 302
    match = Match.objects.get(challenge=challenge, startup=profile)
    assert (match.origin, match.pitch) == (Match.Origin.APPLIED, "Our inference runs at 2 mW.")
    assert match.attachments.get().name == "deck.pdf"
    page = startup.get(response.url).content.decode()
    assert "You applied" in page and "Apply to this challenge" not in page
    assert "Being ranked" in page and "Our inference runs at 2 mW." in page

    # The firm reads the pitch and downloads the PDF; reading its list marks the match viewed.
    firm = client_as(world.enterprise_user)
    listing = firm.get(f"/challenges/{challenge.pk}/matches/?origin=applied").content.decode()
    assert "Our inference runs at 2 mW." in listing and "deck.pdf" in listing
    document = f"/matches/{match.pk}/documents/{match.attachments.get().pk}/"
    download = firm.get(document)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert client_as(world.other_enterprise_user).get(document).status_code == 404
    assert client_as(world.other_startup_user).get(document).status_code == 404
    match.refresh_from_db()
    assert match.viewed_at is not None
    assert "Viewed by the firm" in startup.get(f"/challenges/{challenge.pk}/").content.decode()
    # The firm's list filtered to proposals leaves the application out.
    proposals = firm.get(f"/challenges/{challenge.pk}/matches/?origin=proposed").content.decode()
    assert "Our inference runs at 2 mW." not in proposals


def test_a_refused_document_sends_nothing_and_keeps_the_pitch(
    world, challenge, profile, media_in_tmp
):
    response = client_as(world.startup_user).post(
        f"/challenges/{challenge.pk}/apply/",
        {"pitch": "Keep this pitch.", "documents": [pdf("deck.pdf", b"GIF89a not a pdf")]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only PDF documents are accepted." in page and "Keep this pitch." in page
    assert not Match.objects.filter(challenge=challenge, startup=profile).exists()


def test_a_firm_declines_with_a_reason_the_startup_reads_and_takes_it_back(
    world, challenge, profile
):
    match = make_match(challenge, profile)
    firm = client_as(world.enterprise_user)
    decline = f"/matches/{match.pk}/decline/"
    firm.post(decline, {"feedback": "No reason given."})
    match.refresh_from_db()
    assert match.status != Match.Status.DECLINED  # a firm's decline needs a reason
    firm.post(
        decline,
        {
            "reason_code": "trl_too_early",
            "feedback": "Come back with a field pilot.",
            "note": "Internal: their data looked thin.",
        },
    )
    startup_page = client_as(world.startup_user).get(f"/challenges/{challenge.pk}/")
    text = startup_page.content.decode()
    assert "Technology too early (TRL)" in text and "Come back with a field pilot." in text
    assert "their data looked thin" not in text
    declined = firm.get(f"/challenges/{challenge.pk}/matches/?tab=declined").content.decode()
    assert "Internal: their data looked thin." in declined and "Take back the decline" in declined
    firm.post(f"/matches/{match.pk}/undecline/")
    match.refresh_from_db()
    assert (match.status, match.reason_code) == (Match.Status.PROPOSED, "")


def test_the_challenge_page_speaks_chinese_about_applying(world, challenge, profile):
    client = client_as(world.startup_user)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    for text in ("申请此需求", "企业承诺在 10 个工作日内答复。", "提交申请", "尚无答复"):
        assert text in page, text
