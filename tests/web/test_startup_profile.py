"""The startup profile page (/startups/<id>/): who may open it, what it shows, the history a
firm has with the startup, and the links that lead to it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.chat.services import conversation_open_for_match
from backend.matches.models import Match
from backend.programs.models import CohortMembership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
    StartupProfileFactory,
)

pytestmark = pytest.mark.django_db

SUMMARY = "We compress neural networks to run on microcontrollers."
WEBSITE = "https://tinyml.example/"


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def startup(world):
    return StartupProfileFactory(
        organization=world.startup,
        name="TinyML Labs",
        summary=SUMMARY,
        capabilities=["Model quantisation", "On-device training"],
        stage="series-a",
        trl=6,
        team_size=14,
        founded_year=2019,
        city="Pudong",
        region="Shanghai",
        website=WEBSITE,
        languages=["zh", "en"],
    )


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_of(user, profile, lang: str = "en"):
    client = client_as(user)
    if lang != "en":
        client.cookies["django_language"] = lang
    return client.get(f"/startups/{profile.pk}/")


def test_a_firm_reads_every_field_of_a_published_profile(world, startup):
    response = page_of(world.other_enterprise_user, startup)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "TinyML Labs",
        SUMMARY,
        "<li>Model quantisation</li>",
        "<li>On-device training</li>",
        "Series A",
        "TRL 6",
        "Technology demonstrated in a relevant environment",
        "14 people",
        "2019",
        "Pudong, Shanghai",
        "zh, en",
    ):
        assert text in html
    assert (
        f'<a href="{WEBSITE}" rel="noopener noreferrer nofollow" target="_blank" class="external">'
        in html
    )
    assert "No match with this startup yet." in html


def test_the_page_speaks_chinese(world, startup):
    html = page_of(world.enterprise_user, startup, lang="zh-hans").content.decode()
    for text in (
        "A 轮",
        "团队人数",
        "14 人",
        "成立年份",
        "网站",
        "在相关环境中演示技术",
        "你与这家初创企业的往来",
    ):
        assert text in html, text


def test_operators_open_every_profile_even_unpublished(world, startup):
    startup.published = False
    startup.save()
    html = page_of(world.operator_user, startup).content.decode()
    assert SUMMARY in html and "History with the firms" in html


def test_the_page_is_for_signed_in_firms_and_operators(world, startup):
    other = StartupProfileFactory(organization=world.other_startup)
    assert page_of(world.other_startup_user, startup).status_code == 404
    own = page_of(world.startup_user, startup)
    assert (own.status_code, own.url) == (302, "/profile/")
    assert page_of(world.startup_user, other).status_code == 404
    anonymous = page_of(None, startup)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/?next=")
    assert client_as(world.enterprise_user).get("/startups/999999/").status_code == 404


def test_an_unpublished_profile_without_a_history_does_not_exist_for_a_firm(world, startup):
    startup.published = False
    startup.save()
    assert page_of(world.enterprise_user, startup).status_code == 404


def test_a_withdrawn_profile_with_a_history_shows_the_history_and_withholds_the_profile(
    world, startup, challenge
):
    match = Match.objects.create(challenge=challenge, startup=startup, score=1.0, rank=1)
    startup.published = False
    startup.save()
    response = page_of(world.enterprise_user, startup)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This startup has withdrawn its profile" in html
    assert f'data-history-match="{match.pk}"' in html
    for text in ("TinyML Labs", SUMMARY, WEBSITE, "Pudong", "Model quantisation"):
        assert text not in html
    # Another firm has no history with it: the profile does not exist for that firm.
    assert page_of(world.other_enterprise_user, startup).status_code == 404


def test_a_connected_firm_keeps_the_name_of_a_withdrawn_profile(world, startup, challenge):
    Match.objects.create(
        challenge=challenge, startup=startup, score=1.0, rank=1, status=Match.Status.CONNECTED
    )
    startup.published = False
    startup.save()
    html = page_of(world.enterprise_user, startup).content.decode()
    assert "<h1>TinyML Labs</h1>" in html and SUMMARY not in html


def test_the_firm_sees_its_own_history_only(world, startup, challenge):
    connected = Match.objects.create(
        challenge=challenge,
        startup=startup,
        score=1.0,
        rank=1,
        status=Match.Status.CONNECTED,
        connected_at=timezone.now(),
    )
    conversation = conversation_open_for_match(match=connected)
    declined_challenge = ChallengeFactory(accelerator=challenge.accelerator, title="Battery QA")
    Match.objects.create(
        challenge=declined_challenge,
        startup=startup,
        score=0.5,
        rank=3,
        status=Match.Status.DECLINED,
        declined_side=Match.Side.STARTUP,
        declined_at=timezone.now(),
        feedback="Outside our focus this year.",
        decline_note="Their pilot budget is too small.",
    )
    Match.objects.create(
        challenge=ChallengeFactory(accelerator=challenge.accelerator, title="Grid storage"),
        startup=startup,
        score=0.4,
        rank=5,
        status=Match.Status.DECLINED,
        declined_side=Match.Side.ENTERPRISE,
        declined_at=timezone.now(),
        reason_code=Match.ReasonCode.BUDGET_OR_SCALE,
        decline_note="Procurement would not sign this.",
    )
    cohort = CohortFactory(accelerator=challenge.accelerator, name="Spring intake")
    CohortMembershipFactory(
        cohort=cohort, startup=world.startup, status=CohortMembership.Status.ACCEPTED
    )
    withdrawn_place = CohortMembershipFactory(
        cohort=CohortFactory(accelerator=challenge.accelerator, name="Old intake"),
        startup=world.startup,
        status=CohortMembership.Status.WITHDRAWN,
    )
    others = AcceleratorFactory(enterprise=world.other_enterprise)
    Match.objects.create(
        challenge=ChallengeFactory(accelerator=others, title="Beta own brief"),
        startup=startup,
        score=1.0,
        rank=1,
    )
    CohortMembershipFactory(
        cohort=CohortFactory(accelerator=others, name="Beta intake"), startup=world.startup
    )

    html = page_of(world.enterprise_user, startup).content.decode()
    assert challenge.title in html and "Battery QA" in html
    assert f'href="/conversations/{conversation.pk}/"' in html
    assert "Declined by the startup" in html and "Outside our focus this year." in html
    # A decline's internal note is read by its own side only.
    assert "Declined by the firm" in html and "Budget or scale" in html
    assert "Procurement would not sign this." in html
    assert "Their pilot budget is too small." not in html
    assert "Spring intake" in html and "Accepted" in html
    for text in ("Beta own brief", "Beta intake", "Old intake"):
        assert text not in html
    operator_html = page_of(world.operator_user, startup).content.decode()
    for text in ("Beta own brief", "Beta intake", f'data-history-place="{withdrawn_place.pk}"'):
        assert text in operator_html
    assert "Procurement would not sign this." not in operator_html


def test_match_cards_link_the_startup_unless_it_withdrew(world, startup, challenge):
    match = Match.objects.create(challenge=challenge, startup=startup, score=1.0, rank=1)
    firm = client_as(world.enterprise_user)
    link = f'href="/startups/{startup.pk}/"'
    assert link in firm.get(f"/challenges/{challenge.pk}/matches/").content.decode()
    assert link in firm.get(f"/matches/{match.pk}/card/").json()["html"]
    startup.published = False
    startup.save()
    assert link not in firm.get(f"/challenges/{challenge.pk}/matches/").content.decode()


def test_cohort_boards_link_their_startups_unless_withdrawn(world, startup, challenge):
    cohort = CohortFactory(accelerator=challenge.accelerator)
    CohortMembershipFactory(cohort=cohort, startup=world.startup)
    Match.objects.create(
        challenge=challenge,
        startup=StartupProfileFactory(organization=world.other_startup),
        score=1.0,
        rank=1,
    )
    link = f'href="/startups/{startup.pk}/"'
    assert link in client_as(world.enterprise_user).get(f"/cohorts/{cohort.pk}/").content.decode()
    board = client_as(world.operator_user).get(f"/cohorts/{cohort.pk}/").content.decode()
    candidate = world.other_startup.startup_profile
    assert link in board and f'href="/startups/{candidate.pk}/"' in board
    startup.published = False
    startup.save()
    assert (
        link not in client_as(world.enterprise_user).get(f"/cohorts/{cohort.pk}/").content.decode()
    )


def test_a_conversation_leads_the_firm_and_operators_to_the_startup(world, startup, challenge):
    match = Match.objects.create(
        challenge=challenge, startup=startup, score=1.0, rank=1, status=Match.Status.CONNECTED
    )
    conversation = conversation_open_for_match(match=match)
    link = f'href="/startups/{startup.pk}/"'
    for user in (world.enterprise_user, world.operator_user):
        html = client_as(user).get(f"/conversations/{conversation.pk}/").content.decode()
        assert link in html
    html = client_as(world.startup_user).get(f"/conversations/{conversation.pk}/").content.decode()
    assert "data-startup-profile" not in html


def test_the_page_reads_in_the_same_few_queries_however_long_the_history(world, startup, challenge):
    def add_history():
        accelerator = AcceleratorFactory(enterprise=world.other_enterprise)
        Match.objects.create(
            challenge=ChallengeFactory(accelerator=accelerator), startup=startup, score=1, rank=1
        )
        CohortMembershipFactory(
            cohort=CohortFactory(accelerator=accelerator), startup=world.startup
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert page_of(world.operator_user, startup).status_code == 200
        return len(captured.captured_queries)

    add_history()
    once = queries()
    add_history()
    add_history()
    assert queries() == once
