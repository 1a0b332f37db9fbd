"""A withdrawn (unpublished) profile on the pages and the export: the firm keeps its match rows
and cohort places but reads nothing the profile says; operators still do."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.matches.models import Match
from tests.factories import CohortFactory, CohortMembershipFactory, StartupProfileFactory

pytestmark = pytest.mark.django_db

NAME = "Secretive Labs"
PITCH = "Tiny models for tiny chips, withdrawn."
CAPABILITY = "Model quantisation for withdrawn microcontrollers."
PLACE = ("Zhangjiang Town", "Pudong Region", "https://secretive.example")
EVIDENCE = {
    "pairs": [{"requirement": "Low-power inference.", "capability": CAPABILITY, "similarity": 0.7}],
    "shared_terms": ["low-power"],
}
CONTENT = (NAME, PITCH, CAPABILITY)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def withdrawn(world, challenge):
    profile = StartupProfileFactory(
        organization=world.startup,
        name=NAME,
        pitch=PITCH,
        capabilities=[CAPABILITY],
        city=PLACE[0],
        region=PLACE[1],
        website=PLACE[2],
    )
    match = Match.objects.create(
        challenge=challenge, startup=profile, score=1.0, rank=1, evidence=EVIDENCE
    )
    cohort = CohortFactory(accelerator=challenge.accelerator)
    CohortMembershipFactory(cohort=cohort, startup=world.startup)
    profile.published = False
    profile.save()
    return profile, match, cohort


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def match_pages(client, challenge, match) -> list[str]:
    responses = [
        client.get(f"/challenges/{challenge.pk}/matches/"),
        client.get(f"/matches/{match.pk}/card/"),
    ]
    assert [r.status_code for r in responses] == [200, 200]
    return [responses[0].content.decode(), responses[1].json()["html"]]


def cohort_pages(client, cohort) -> list[str]:
    board = client.get(f"/cohorts/{cohort.pk}/")
    export = client.get(f"/cohorts/{cohort.pk}/export.csv")
    assert [board.status_code, export.status_code] == [200, 200]
    return [board.content.decode(), export.content.decode("utf-8")]


def test_the_firm_reads_nothing_of_a_withdrawn_profile(world, challenge, withdrawn):
    _profile, match, cohort = withdrawn
    firm = client_as(world.enterprise_user)
    for html in match_pages(firm, challenge, match):
        for text in (*CONTENT, *PLACE):
            assert text not in html
        assert "A startup that withdrew its profile" in html
    home = firm.get("/").content.decode()  # the activity feed
    assert NAME not in home and "A startup that withdrew its profile" in home
    for text in cohort_pages(firm, cohort):
        for place in PLACE:
            assert place not in text


def test_a_connected_firm_keeps_the_name_only(world, challenge, withdrawn):
    _profile, match, _cohort = withdrawn
    Match.objects.filter(pk=match.pk).update(status=Match.Status.CONNECTED)
    firm = client_as(world.enterprise_user)
    html = firm.get(f"/matches/{match.pk}/card/").json()["html"]
    assert NAME in html
    for text in (PITCH, CAPABILITY, *PLACE):
        assert text not in html


def test_operators_still_read_it_and_a_republished_profile_shows_again(world, challenge, withdrawn):
    profile, match, cohort = withdrawn
    for html in match_pages(client_as(world.operator_user), challenge, match):
        for text in (NAME, PITCH, CAPABILITY, PLACE[1]):
            assert text in html
    board, export = cohort_pages(client_as(world.operator_user), cohort)
    assert PLACE[1] in board and all(place in export for place in PLACE)
    firm = client_as(world.enterprise_user)
    assert NAME not in firm.get(f"/matches/{match.pk}/card/").json()["html"]
    profile.published = True
    profile.save()
    for html in match_pages(firm, challenge, match):
        for text in (NAME, PITCH, CAPABILITY, PLACE[1]):
            assert text in html
    board, export = cohort_pages(firm, cohort)
    assert PLACE[1] in board and all(place in export for place in PLACE)
