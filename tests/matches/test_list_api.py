"""The matches lists answer, for every kind of reader, what the match serializer says of each
visible row (the schema's `Match`), in a number of queries that does not grow with the page."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from backend.matches.api import MatchSerializer
from backend.matches.models import ApplicationAttachment, Match
from backend.programs.models import Challenge
from backend.programs.selectors import LIVE_STATUSES
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
)

pytestmark = pytest.mark.django_db

READERS = ["enterprise", "other_enterprise", "startup", "other_startup", "operator"]
EVIDENCE = {
    "pairs": [
        {"requirement": "Low-power inference.", "capability": "Tiny models.", "similarity": 0.7},
        {"requirement": "Shock.", "capability": "Rugged cells.", "similarity": 1, "extra": "x"},
    ],
    "shared_terms": ["inference", "tiny"],
    "kept_back": True,
}


@pytest.fixture
def market(world, accelerator):
    """Matches in every state a list shows differently: declines by either side with their
    internal notes, a withdrawn profile (connected and not), a draft challenge, another firm's
    challenge, an application with documents and no rank yet, unusual evidence."""
    now = timezone.now()
    public = ChallengeFactory(accelerator=accelerator, title="Public")
    confidential = ChallengeFactory(
        accelerator=accelerator, title="Secret", visibility=Challenge.Visibility.CONFIDENTIAL
    )
    draft = ChallengeFactory(accelerator=accelerator, status=Challenge.Status.DRAFT)
    foreign = ChallengeFactory(accelerator=AcceleratorFactory(enterprise=world.other_enterprise))
    own = StartupProfileFactory(organization=world.startup, name="TinyML Labs")
    withdrawn = StartupProfileFactory(organization=world.other_startup, name="Secretive")
    third = StartupProfileFactory(
        organization=OrganizationFactory(kind="startup"), trl=None, stage="", region=""
    )

    def match(challenge, startup, score, rank, **fields):
        defaults = {"components": {"lexical": 0.5, "dense": 1}, "evidence": EVIDENCE}
        return Match.objects.create(
            challenge=challenge, startup=startup, score=score, rank=rank, **defaults | fields
        )

    declined = {"status": Match.Status.DECLINED, "declined_at": now}
    match(
        public,
        own,
        0.9,
        1,
        declined_side=Match.Side.STARTUP,
        feedback="Not now.",
        decline_note="The startup's own reason.",
        viewed_at=now - timedelta(hours=2),
        **declined,
    )
    firm_note = {"reason_code": Match.ReasonCode.TRL_TOO_EARLY, "decline_note": "The firm's."}
    match(confidential, own, 0.8, 2, declined_side=Match.Side.ENTERPRISE, **declined | firm_note)
    match(draft, own, 0.7, 1)
    match(
        public,
        withdrawn,
        0.9,
        2,
        status=Match.Status.CONNECTED,
        enterprise_interested_at=now - timedelta(days=1),
        startup_interested_at=now - timedelta(days=2),
        connected_at=now - timedelta(days=1),
    )
    match(confidential, withdrawn, 0.6, 1)
    match(foreign, own, 0.5, 1, components={}, evidence={})
    applied = match(
        public,
        third,
        None,
        None,
        origin=Match.Origin.APPLIED,
        pitch="We can solve this.",
        status=Match.Status.STARTUP_INTERESTED,
        startup_interested_at=now,
        shortlisted_at=now,
        components={},
        evidence={},
    )
    for name in ["deck.pdf", "plan.pdf"]:
        ApplicationAttachment.objects.create(
            match=applied, file=f"applications/{name}", name=name, size=1_234
        )
    withdrawn.published = False
    withdrawn.save()


def expected_rows(world, reader: str) -> list[Match]:
    """The matches a reader may list, by the rules README's "Who sees what" states."""
    actor = getattr(world, reader)
    everything = Match.objects.select_related("challenge__accelerator", "startup")
    if actor.kind == "operator":
        return list(everything)
    if actor.kind == "enterprise":
        return [m for m in everything if m.challenge.accelerator.enterprise_id == actor.pk]
    return [
        m
        for m in everything
        if m.startup.organization_id == actor.pk and m.challenge.status in LIVE_STATUSES
    ]


def serialised(world, reader: str, matches: list[Match]) -> list[dict]:
    request = SimpleNamespace(user=world.user(reader))
    return [MatchSerializer(m, context={"request": request}).data for m in matches]


def by_score(match: Match):
    return (match.score is None, -(match.score or 0), match.pk)


def by_rank(match: Match):
    return (match.rank is None, match.rank or 0, match.pk)


@pytest.mark.parametrize("reader", READERS)
def test_the_list_answers_what_the_serializer_says_of_each_visible_match(
    world, client_for, market, reader
):
    rows = sorted(expected_rows(world, reader), key=by_score)
    response = client_for(world.user(reader)).get("/api/matches/")
    assert response.status_code == 200
    expected = {"count": len(rows), "next": None, "previous": None}
    assert response.content == JSONRenderer().render(
        expected | {"results": serialised(world, reader, rows)}
    )


@pytest.mark.parametrize("reader", ["enterprise", "operator"])
def test_a_challenge_list_answers_the_same(world, client_for, market, reader, accelerator):
    challenge = Challenge.objects.get(title="Public")
    rows = sorted(
        (m for m in expected_rows(world, reader) if m.challenge_id == challenge.pk), key=by_rank
    )
    response = client_for(world.user(reader)).get(f"/api/challenges/{challenge.pk}/matches/")
    assert response.status_code == 200
    assert response.json() == {
        "count": len(rows),
        "next": None,
        "previous": None,
        "results": serialised(world, reader, rows),
    }
    assert response.content == JSONRenderer().render(response.data)


def test_a_page_and_an_ordering_keep_the_envelope(world, client_for, market):
    rows = sorted(expected_rows(world, "operator"), key=lambda m: (-m.created_at.timestamp(), m.pk))
    response = client_for(world.operator_user).get(
        "/api/matches/", {"page": 2, "page_size": 2, "ordering": "-created_at"}
    )
    body = response.json()
    assert body["count"] == len(rows)
    assert body["previous"] == "http://testserver/api/matches/?ordering=-created_at&page_size=2"
    assert body["next"] == (
        "http://testserver/api/matches/?ordering=-created_at&page=3&page_size=2"
    )
    assert body["results"] == serialised(world, "operator", rows[2:4])


@pytest.mark.parametrize("reader", ["enterprise", "operator"])
def test_a_startup_filter_lists_the_same_rows_as_before(world, client_for, market, reader):
    """A filter on the profile's fields finds no withdrawn profile for the firm."""
    rows = [
        m
        for m in sorted(expected_rows(world, reader), key=by_score)
        if m.startup.stage == "seed" and (reader == "operator" or m.startup.published)
    ]
    response = client_for(world.user(reader)).get("/api/matches/", {"stage": "seed"})
    assert response.json()["results"] == serialised(world, reader, rows)


def many_matches(world, accelerator, n: int) -> None:
    """`n` matches on the firm's challenges, each startup with a document on its application."""
    challenges = [ChallengeFactory(accelerator=accelerator) for _ in range(2)]
    for i in range(n):
        profile = StartupProfileFactory(organization=OrganizationFactory(kind="startup"))
        match = Match.objects.create(
            challenge=challenges[i % 2],
            startup=profile,
            score=1 - i / 100,
            rank=i + 1,
            origin=Match.Origin.APPLIED if i % 3 == 0 else Match.Origin.PROPOSED,
            status=Match.Status.DECLINED if i % 4 == 0 else Match.Status.PROPOSED,
            declined_side=Match.Side.ENTERPRISE if i % 4 == 0 else "",
            evidence=EVIDENCE,
        )
        if i % 3 == 0:
            ApplicationAttachment.objects.create(
                match=match, file="applications/a.pdf", name="a.pdf", size=1
            )
        if i % 5 == 0:
            profile.published = False
            profile.save()


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page_size": 100}).status_code == 200
    return len(queries.captured_queries)


def test_the_lists_cost_the_same_queries_for_3_and_for_30_matches(world, client_for, accelerator):
    """The session, its user, the user's organisation, the COUNT, the page's rows, their
    documents; a challenge's list also checks the challenge."""
    clients = {}
    for reader in ["enterprise", "operator"]:
        # Signed in by session: each request loads its user again, as a browser's does.
        clients[reader] = client_for(None)
        clients[reader].force_login(world.user(reader))
    many_matches(world, accelerator, 3)
    challenge = Match.objects.first().challenge_id
    urls = ["/api/matches/", f"/api/challenges/{challenge}/matches/"]
    small = {(r, url): queries_of(c, url) for r, c in clients.items() for url in urls}
    many_matches(world, accelerator, 27)
    assert Match.objects.count() == 30
    large = {(r, url): queries_of(c, url) for r, c in clients.items() for url in urls}
    assert small == large
    assert set(large.values()) == {6, 7}
