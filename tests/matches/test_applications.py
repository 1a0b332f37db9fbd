"""Open applications, feedback a startup can use, the timeline and the response promise, over a
small real corpus (real model, FAISS and BM25) and the real indexer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.accounts.selectors import actor_for
from backend.common.errors import ApplicationError
from backend.matches import engine, services
from backend.matches.indexing import drain
from backend.matches.models import ApplicationAttachment, Match, Side
from backend.notifications.models import Notification
from backend.programs.models import Challenge
from tests.factories import (
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
    index_documents,
    member_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def market(world, accelerator):
    battery = StartupProfileFactory(
        organization=OrganizationFactory(kind="startup", name="VoltCell"),
        name="VoltCell",
        summary="Lithium-ion battery cells that charge fast and survive shock.",
        capabilities=["Fast-charging lithium-ion cells"],
    )
    # The applicant: far from the challenge, so the engine never proposes it.
    bakery = StartupProfileFactory(
        organization=world.startup,
        name="Crumb",
        summary="Sourdough bread and pastries baked every morning for cafes.",
        capabilities=["Artisan baking", "Cafe supply"],
    )
    challenge = ChallengeFactory(
        accelerator=accelerator,
        title="Batteries that charge in minutes",
        problem_statement="Lithium-ion cells that charge at 3C and survive high shock.",
    )
    confidential = ChallengeFactory(
        accelerator=accelerator,
        title="Night-time drone detection",
        problem_statement="Detect small drones at night with infrared cameras.",
        visibility=Challenge.Visibility.CONFIDENTIAL,
    )
    index_documents(battery, bakery)
    index_documents(challenge, confidential)
    return {"battery": battery, "bakery": bakery, "challenge": challenge, "secret": confidential}


def apply(client, challenge, pitch="We can help: our ovens run on batteries."):
    return client.post(f"/api/challenges/{challenge.pk}/apply/", {"pitch": pitch}, format="json")


def standing_among_all(challenge_id: int, profile_id: int) -> tuple[int, float]:
    """Where the profile stands in the challenge's full ranking of every startup."""
    challenges, startups = (engine.registry.space(side) for side in (Side.CHALLENGE, Side.STARTUP))
    vectors = {name: challenges.vectors_of(challenge_id, name) for name in challenges.model_ids}
    hits = startups.search(
        challenges.get(challenge_id), challenges.chunks_of(challenge_id), vectors, k=len(startups)
    )
    position = next(i for i, hit in enumerate(hits, 1) if hit.doc_id == profile_id)
    return position, hits[position - 1].score


def test_an_application_is_a_match_the_engine_ranks_as_it_ranks_a_proposal(
    world, client_for, market
):
    challenge, bakery = market["challenge"], market["bakery"]
    assert not Match.objects.filter(challenge=challenge, startup=bakery).exists()
    response = apply(client_for(world.startup_user), challenge)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["origin"], body["status"], body["rank"]) == ("applied", "startup_interested", None)
    assert body["pitch"] == "We can help: our ovens run on batteries."
    assert [step["step"] for step in body["timeline"]] == ["applied"]

    assert drain().ranked_applications == 1
    match = Match.objects.get(pk=body["id"])
    position, score = standing_among_all(challenge.pk, bakery.pk)
    assert (match.rank, match.ranked_among) == (position, 2)
    assert match.score == pytest.approx(score)
    assert match.evidence["pairs"], "an applicant's evidence is computed as a proposal's"
    # Once ranked, it is not ranked again.
    assert drain().ranked_applications == 0

    firm = client_for(world.enterprise_user)
    url = f"/api/challenges/{challenge.pk}/matches/"
    applied = firm.get(url, {"origin": "applied"}).json()["results"]
    proposed = firm.get(url, {"origin": "proposed"}).json()["results"]
    assert [item["startup"]["name"] for item in applied] == ["Crumb"]
    assert [item["startup"]["name"] for item in proposed] == ["VoltCell"]
    assert firm.get(url, {"origin": "invited"}).status_code == 400


def test_an_application_tells_the_firm_and_the_startup(world, client_for, market):
    apply(client_for(world.startup_user), market["challenge"])
    told = set(Notification.objects.filter(kind="match.applied").values_list("user", flat=True))
    assert told == {world.enterprise_user.pk, world.startup_user.pk}


def test_applying_where_the_engine_proposed_says_interested_on_that_match(
    world, client_for, market
):
    proposal = Match.objects.get(challenge=market["challenge"], startup=market["battery"])
    user = member_of(market["battery"].organization)
    response = apply(client_for(user), market["challenge"], pitch="Proposed and keen.")
    assert response.status_code == 200
    assert response.json()["id"] == proposal.pk
    proposal.refresh_from_db()
    assert (proposal.origin, proposal.status, proposal.pitch) == (
        Match.Origin.PROPOSED,
        Match.Status.STARTUP_INTERESTED,
        "Proposed and keen.",
    )
    assert apply(client_for(user), market["challenge"]).status_code == 409


def test_who_may_apply_where(world, client_for, market, accelerator):
    startup = client_for(world.startup_user)
    # A confidential challenge it was not matched to does not exist for it.
    assert apply(startup, market["secret"]).status_code == 404
    draft = ChallengeFactory(accelerator=accelerator, status=Challenge.Status.DRAFT)
    assert apply(startup, draft).status_code == 404
    assert apply(client_for(world.enterprise_user), market["challenge"]).status_code == 403
    assert apply(client_for(world.operator_user), market["challenge"]).status_code == 403
    assert apply(client_for(None), market["challenge"]).status_code == 401
    assert apply(startup, market["challenge"], pitch="").status_code == 400
    assert apply(startup, market["challenge"], pitch="x" * 2_001).status_code == 400
    assert not Match.objects.filter(startup=market["bakery"], origin="applied").exists()

    market["challenge"].status = Challenge.Status.CLOSED
    market["challenge"].save()
    assert apply(startup, market["challenge"]).status_code == 409
    market["challenge"].status = Challenge.Status.OPEN
    market["challenge"].deadline = timezone.localdate() - timedelta(days=1)
    market["challenge"].save()
    assert apply(startup, market["challenge"]).status_code == 409

    later = ChallengeFactory(accelerator=accelerator)
    market["bakery"].published = False
    market["bakery"].save()
    response = apply(startup, later)
    assert response.status_code == 409
    assert "Publish your profile" in response.json()["error"]["message"]


def _applied(world, client_for, market) -> Match:
    body = apply(client_for(world.startup_user), market["challenge"]).json()
    return Match.objects.get(pk=body["id"])


def upload(client, match, content=PDF, name="deck.pdf"):
    return client.post(
        f"/api/matches/{match.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        format="multipart",
    )


def test_application_documents_are_pdfs_served_only_to_the_parties(world, client_for, market):
    match = _applied(world, client_for, market)
    startup = client_for(world.startup_user)
    response = upload(startup, match)
    assert response.status_code == 201, response.content
    document = response.json()
    assert (document["name"], document["size"]) == ("deck.pdf", len(PDF))
    url = f"/api/matches/{match.pk}/attachments/{document['id']}/"
    for user in (world.enterprise_user, world.operator_user, world.startup_user):
        read = client_for(user).get(url)
        assert read.status_code == 200
        assert b"".join(read.streaming_content) == PDF
    for user in (world.other_enterprise_user, world.other_startup_user):
        assert client_for(user).get(url).status_code == 404
    assert client_for(world.enterprise_user).get(f"{url[:-1]}9{document['id']}/").status_code == 404

    # The content decides, not the name or the claimed type.
    disguised = upload(startup, match, content=b"MZ\x90\x00 not a pdf", name="deck.pdf")
    assert disguised.status_code == 400
    assert disguised.json()["error"]["code"] == "not_pdf"
    # Only the startup that applied adds documents.
    assert upload(client_for(world.enterprise_user), match).status_code == 403
    assert ApplicationAttachment.objects.filter(match=match).count() == 1


def test_a_document_over_ten_megabytes_is_refused(world, client_for, market):
    match = _applied(world, client_for, market)
    big = PDF + b"0" * ApplicationAttachment.MAX_BYTES
    response = upload(client_for(world.startup_user), match, content=big)
    assert response.status_code == 413
    with pytest.raises(ApplicationError) as refused:
        services.attachment_add(
            actor=actor_for(world.startup_user),
            match=match,
            upload=SimpleUploadedFile("big.pdf", big),
        )
    assert refused.value.code == "too_large"
    assert not ApplicationAttachment.objects.filter(match=match).exists()


def test_a_proposal_takes_no_documents(world, client_for, market):
    proposal = Match.objects.get(challenge=market["challenge"], startup=market["battery"])
    user = member_of(market["battery"].organization)
    assert upload(client_for(user), proposal).status_code == 403


def decline(client, match, **body):
    return client.post(f"/api/matches/{match.pk}/decline/", body, format="json")


def test_a_firm_declines_with_a_reason_the_startup_reads_and_a_note_it_never_sees(
    world, client_for, market
):
    match = _applied(world, client_for, market)
    firm = client_for(world.enterprise_user)
    refused = decline(firm, match, feedback="Too small a team.")
    assert refused.status_code == 400
    assert "reason_code" in refused.json()["error"]["fields"]
    done = decline(
        firm,
        match,
        reason_code="budget_or_scale",
        feedback="We need production at 10,000 cells a month.",
        note="Internal: their data looked thin.",
    )
    assert done.status_code == 200
    assert done.json()["decline_note"] == "Internal: their data looked thin."

    seen = client_for(world.startup_user).get(f"/api/matches/{match.pk}/").json()
    assert (seen["status"], seen["reason_code"], seen["feedback"]) == (
        "declined",
        "budget_or_scale",
        "We need production at 10,000 cells a month.",
    )
    assert seen["decline_note"] == ""
    assert [step["step"] for step in seen["timeline"]][-1] == "declined"
    operator = client_for(world.operator_user).get(f"/api/matches/{match.pk}/").json()
    assert operator["decline_note"] == ""


def test_a_startup_declines_without_a_reason_code(world, client_for, market):
    proposal = Match.objects.get(challenge=market["challenge"], startup=market["battery"])
    user = member_of(market["battery"].organization)
    assert decline(client_for(user), proposal).status_code == 200


def test_the_side_that_declined_takes_it_back_within_seven_days(world, client_for, market):
    match = _applied(world, client_for, market)
    firm, startup = client_for(world.enterprise_user), client_for(world.startup_user)
    decline(firm, match, reason_code="timing", note="Maybe next quarter.")
    assert startup.post(f"/api/matches/{match.pk}/undecline/").status_code == 403
    undone = firm.post(f"/api/matches/{match.pk}/undecline/")
    assert undone.status_code == 200
    body = undone.json()
    # Back where it stood: the startup had applied.
    assert (body["status"], body["reason_code"], body["feedback"], body["decline_note"]) == (
        "startup_interested",
        "",
        "",
        "",
    )
    assert firm.post(f"/api/matches/{match.pk}/undecline/").status_code == 409

    decline(firm, match, reason_code="timing")
    Match.objects.filter(pk=match.pk).update(declined_at=timezone.now() - timedelta(days=8))
    late = firm.post(f"/api/matches/{match.pk}/undecline/")
    assert late.status_code == 409
    assert Match.objects.get(pk=match.pk).status == Match.Status.DECLINED


def test_an_undone_decline_reopens_a_confidential_challenge(world, client_for, market):
    proposal = Match.objects.create(
        challenge=market["secret"], startup=market["bakery"], score=1.0, rank=1
    )
    firm, startup = client_for(world.enterprise_user), client_for(world.startup_user)
    url = f"/api/challenges/{market['secret'].pk}/"
    decline(firm, proposal, reason_code="not_a_fit")
    assert startup.get(url).status_code == 404
    firm.post(f"/api/matches/{proposal.pk}/undecline/")
    assert startup.get(url).status_code == 200


def test_the_timeline_says_viewed_and_shortlisted_but_never_by_whom(world, client_for, market):
    match = _applied(world, client_for, market)
    # An operator's read is not the firm's.
    client_for(world.operator_user).get(f"/api/matches/{match.pk}/")
    match.refresh_from_db()
    assert match.viewed_at is None
    firm = client_for(world.enterprise_user)
    assert firm.get(f"/api/matches/{match.pk}/").json()["viewed_at"] is not None
    assert firm.post(f"/api/matches/{match.pk}/shortlist/", {}, format="json").status_code == 200
    startup = client_for(world.startup_user)
    assert startup.post(f"/api/matches/{match.pk}/shortlist/", {}, format="json").status_code == 403
    steps = startup.get(f"/api/matches/{match.pk}/").json()["timeline"]
    assert [step["step"] for step in steps] == ["applied", "viewed", "shortlisted"]
    assert all(set(step) == {"step", "at"} for step in steps)
    assert (
        firm.post(
            f"/api/matches/{match.pk}/shortlist/", {"shortlisted": 0}, format="json"
        ).status_code
        == 400
    )
    off = firm.post(f"/api/matches/{match.pk}/shortlist/", {"shortlisted": False}, format="json")
    assert off.json()["shortlisted_at"] is None


def test_overdue_applications_remind_the_firm_once(world, client_for, market):
    match = _applied(world, client_for, market)
    assert services.matches_remind_overdue() == 0  # within the promise
    # Three weeks later: past the default promise of 10 working days.
    Match.objects.filter(pk=match.pk).update(
        startup_interested_at=timezone.now() - timedelta(days=21)
    )
    assert services.matches_remind_overdue() == 1
    reminded = Notification.objects.filter(kind="match.overdue")
    assert set(reminded.values_list("user", flat=True)) == {world.enterprise_user.pk}
    assert reminded.get().event["waiting_days"] >= 14
    assert services.matches_remind_overdue() == 0
    # An answered match is no longer waiting.
    Match.objects.filter(pk=match.pk).update(reminded_at=None)
    services.match_express_interest(match=match, actor=actor_for(world.enterprise_user))
    assert services.matches_remind_overdue() == 0


def test_each_challenge_shows_its_firms_median_answer_time(world, client_for, market):
    url = f"/api/challenges/{market['challenge'].pk}/response-time/"
    startup = client_for(world.startup_user)
    assert startup.get(url).json() == {"response_days": 10, "median_days": None, "answered": 0}
    match = _applied(world, client_for, market)
    # Applied on a Monday, answered on the Thursday of the next week: 8 working days.
    monday = timezone.now().replace(year=2026, month=11, day=2, hour=10)
    Match.objects.filter(pk=match.pk).update(startup_interested_at=monday)
    services.match_decline(
        match=match, actor=actor_for(world.enterprise_user), reason_code="timing"
    )
    Match.objects.filter(pk=match.pk).update(declined_at=monday + timedelta(days=10))
    assert startup.get(url).json() == {"response_days": 10, "median_days": 8, "answered": 1}
    assert (
        client_for(world.other_startup_user)
        .get(f"/api/challenges/{market['secret'].pk}/response-time/")
        .status_code
        == 404
    )
