"""The indexer over the change log, with the real model, the real FAISS index and BM25."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from backend.accounts.selectors import actor_for
from backend.common.models import DocumentChange, MatchingStatus
from backend.matches import engine, indexing, services
from backend.matches.models import ChunkVector, IndexChange, Match, SentenceVector, Side
from backend.notifications.models import Notification
from backend.programs.models import Challenge
from backend.programs.services import (
    accelerator_update,
    challenge_close,
    challenge_publish,
    challenge_update,
)
from backend.startups.models import StartupProfile
from backend.startups.services import profile_save
from matching.multilingual import MULTILINGUAL, PRIMARY
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
    index_documents,
    member_of,
)

pytestmark = [pytest.mark.slow]

BATTERY = {
    "name": "VoltCell",
    "summary": "We make lithium-ion battery cells that charge at high rates and survive shock. "
    "Our cells keep their capacity after thousands of cycles.",
    "capabilities": ["Fast-charging lithium-ion cells", "Solid-state electrolytes"],
}
VISION = {
    "name": "SeeFar",
    "summary": "Infrared cameras and computer vision for detecting small drones at night.",
    "capabilities": ["Long-wave infrared imaging", "Drone detection algorithms"],
}
KITCHEN = {
    "name": "FieldKitchen",
    "summary": "Compact field kitchens and sanitation units for remote work camps.",
    "capabilities": ["Mobile sanitation", "Food service equipment"],
}


def make_profiles(**battery_extra):
    profiles = {}
    for data in (BATTERY, VISION, KITCHEN):
        extra = battery_extra if data is BATTERY else {}
        organization = extra.pop("organization", None) or OrganizationFactory(
            kind="startup", name=data["name"]
        )
        profiles[data["name"]] = StartupProfileFactory(organization=organization, **data)
    return profiles


def battery_challenge(accelerator, **extra):
    fields = {
        "title": "Fast charging batteries that survive gun launch",
        "problem_statement": "Develop lithium-ion cells that recharge at 3C and survive "
        "70,000 g shock. The cells need a long shelf life in storage.",
        "required_capabilities": ["Lithium-ion cell design", "High-rate charging"],
    }
    return ChallengeFactory(accelerator=accelerator, **{**fields, **extra})


@pytest.fixture
def encoder_calls(monkeypatch):
    """Every call of the real encoder, with whether a database transaction was open."""
    model = engine.embedder()
    real = model.encode
    calls: list[dict] = []

    def recording(texts, *args, **kwargs):
        calls.append({"texts": list(texts), "in_transaction": connection.in_atomic_block})
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(model, "encode", recording)
    return calls


@pytest.mark.django_db
def test_the_indexer_stores_every_chunk_vector_and_logs_the_change(world):
    profile = make_profiles()["VoltCell"]
    indexing.changes_record_for(Side.STARTUP, [profile.pk])
    report = indexing.drain()
    model_ids = engine.embedder().model_ids
    rows = ChunkVector.objects.filter(side=Side.STARTUP, owner_id=profile.pk)
    primary = rows.filter(model_id=model_ids[PRIMARY])
    multilingual = rows.filter(model_id=model_ids[MULTILINGUAL])
    assert report.applied == 1
    assert report.encoded_chunks == primary.count() == 3  # the summary and two statements
    assert {row.field for row in primary} == {"text", "statement"}
    assert all(len(bytes(row.vector)) == 384 * 4 for row in primary)
    # The same chunks from the multilingual encoder.
    assert sorted(multilingual.values_list("content_hash", flat=True)) == sorted(
        primary.values_list("content_hash", flat=True)
    )
    assert all(len(bytes(row.vector)) == 512 * 4 for row in multilingual)
    assert IndexChange.objects.filter(side=Side.STARTUP, owner_id=profile.pk).exists()
    assert not DocumentChange.objects.exists()  # the log is pruned once applied
    profile.refresh_from_db()
    assert profile.matching_status == MatchingStatus.READY and profile.matched_at is not None


@pytest.mark.django_db
def test_reapplying_unchanged_text_encodes_nothing_and_a_changed_text_only_the_change(world):
    profile = make_profiles()["VoltCell"]
    index_documents(profile)
    indexing.changes_record_for(Side.STARTUP, [profile.pk])
    assert indexing.drain().encoded_chunks == 0
    profile.capabilities = [*profile.capabilities, "Battery management software"]
    profile.save()
    indexing.changes_record_for(Side.STARTUP, [profile.pk])
    assert indexing.drain().encoded_chunks == 1
    assert ChunkVector.objects.filter(owner_id=profile.pk, side=Side.STARTUP).count() == 4 * 2


@pytest.mark.django_db(transaction=True)  # so that "inside a transaction" means the indexer's
def test_publishing_returns_before_any_encoding_and_the_indexer_proposes_afterwards(
    world, accelerator, encoder_calls
):
    profiles = make_profiles(organization=world.startup)
    index_documents(*profiles.values())
    encoder_calls.clear()
    challenge = battery_challenge(accelerator, status=Challenge.Status.DRAFT, published_at=None)
    published = challenge_publish(actor=actor_for(world.enterprise_user), challenge=challenge)

    # The request's work is done: the change is logged, nothing is encoded or proposed yet.
    assert published.matching_status == MatchingStatus.PENDING
    assert encoder_calls == []
    assert list(DocumentChange.objects.values_list("kind", "owner_id")) == [
        (Side.CHALLENGE, challenge.pk)
    ]
    assert not Match.objects.filter(challenge=challenge).exists()

    report = indexing.drain()
    assert encoder_calls and not any(call["in_transaction"] for call in encoder_calls)
    matches = list(Match.objects.filter(challenge=challenge).order_by("rank"))
    assert report.proposed == len(matches) > 0
    assert matches[0].startup.name == "VoltCell"
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    assert {m.ranked_among for m in matches} == {3}
    # Ranked third of three, the field kitchen is still no match: it is not proposed.
    assert "FieldKitchen" not in {m.startup.name for m in matches}
    top = matches[0]
    assert top.status == Match.Status.PROPOSED
    assert "lexical" in top.components
    assert any(name.startswith("dense") for name in top.components)
    assert top.evidence["pairs"] and top.evidence["pairs"][0]["similarity"] > 0.3
    assert "lithium" in " ".join(top.evidence["shared_terms"]).lower()
    challenge.refresh_from_db()
    assert challenge.matching_status == MatchingStatus.READY


@pytest.mark.django_db
def test_a_proposal_notifies_the_firm_and_the_startup_and_nobody_else(world, accelerator):
    colleague = member_of(world.enterprise)
    bystanders = {world.other_enterprise_user.pk, world.other_startup_user.pk}
    bystanders.add(world.operator_user.pk)
    profiles = make_profiles(organization=world.startup)
    index_documents(*profiles.values())
    Notification.objects.all().delete()
    challenge = battery_challenge(accelerator)
    index_documents(challenge)
    voltcell = Match.objects.get(challenge=challenge, startup=profiles["VoltCell"])
    told = set(
        Notification.objects.filter(kind="match.proposed", event__match=voltcell.pk).values_list(
            "user_id", flat=True
        )
    )
    assert told == {world.enterprise_user.pk, colleague.pk, world.startup_user.pk}
    assert not told & bystanders
    # Applying the same change again proposes nothing new and tells nobody again.
    before = Notification.objects.count()
    indexing.changes_record_for(Side.CHALLENGE, [challenge.pk])
    assert indexing.drain().proposed == 0
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_saving_a_profile_proposes_open_challenges_in_the_other_direction(world, accelerator):
    others = make_profiles()
    others["VoltCell"].delete()  # the startup of this test writes its own
    index_documents(others["SeeFar"], others["FieldKitchen"])
    challenge = battery_challenge(accelerator)
    index_documents(challenge)
    profile = profile_save(actor=actor_for(world.startup_user), data={**BATTERY, "published": True})
    assert profile.matching_status == MatchingStatus.PENDING
    assert not Match.objects.filter(startup=profile).exists()
    indexing.drain()
    match = Match.objects.get(startup=profile)
    assert match.challenge == challenge
    assert match.rank == 1  # read from the challenge's side: best of all startups
    assert match.ranked_among == StartupProfile.objects.filter(published=True).count() > 1


@pytest.mark.django_db
def test_closing_a_challenge_takes_it_out_of_the_search_space(world, accelerator):
    challenge = battery_challenge(accelerator)
    index_documents(challenge)
    assert challenge.pk in engine.registry.space(Side.CHALLENGE)
    challenge_close(actor=actor_for(world.enterprise_user), challenge=challenge)
    assert challenge.pk in engine.registry.space(Side.CHALLENGE)  # until the indexer runs
    indexing.drain()
    assert challenge.pk not in engine.registry.space(Side.CHALLENGE)


@pytest.mark.django_db
def test_reproposal_never_resurrects_a_declined_match(world, accelerator):
    profiles = make_profiles(organization=world.startup)
    index_documents(*profiles.values())
    challenge = battery_challenge(accelerator)
    index_documents(challenge)
    match = Match.objects.get(challenge=challenge, startup=profiles["VoltCell"])
    services.match_decline(match=match, actor=actor_for(world.startup_user), feedback="Too early")
    declined_score = match.score
    # The firm rewrites the challenge: every score changes on the next proposal run.
    challenge_update(
        actor=actor_for(world.enterprise_user),
        challenge=challenge,
        data={"problem_statement": "Lithium-ion battery cells for drones, charged in minutes."},
    )
    assert indexing.drain().applied == 1
    refreshed = Match.objects.filter(challenge=challenge).exclude(pk=match.pk)
    assert refreshed.exists()
    match.refresh_from_db()
    assert match.status == Match.Status.DECLINED
    assert match.feedback == "Too early"
    assert match.declined_side == Match.Side.STARTUP
    assert match.score == declined_score


@pytest.mark.django_db
def test_many_changes_to_one_document_cost_one_embedding(world, accelerator, encoder_calls):
    challenge = battery_challenge(accelerator)
    firm = actor_for(world.enterprise_user)
    for title in ("Fast batteries", "Faster batteries", "The fastest batteries"):
        challenge_update(actor=firm, challenge=challenge, data={"title": title})
    assert DocumentChange.objects.count() == 3
    report = indexing.drain()
    assert report.applied == 1
    assert sum("The fastest batteries" in call["texts"] for call in encoder_calls) == 1
    assert not any("Fast batteries" in call["texts"] for call in encoder_calls)


@pytest.mark.django_db
def test_an_organisation_past_its_budget_waits_in_the_log_and_others_do_not(
    world, accelerator, settings
):
    settings.MATCHING_REEMBED_PER_MINUTE = 1
    first, second = battery_challenge(accelerator), battery_challenge(accelerator)
    other = battery_challenge(AcceleratorFactory(enterprise=world.other_enterprise))
    indexing.changes_record_for(Side.CHALLENGE, [first.pk, second.pk, other.pk])
    report = indexing.drain()
    assert (report.applied, report.deferred) == (2, 1)
    assert list(DocumentChange.objects.values_list("owner_id", flat=True)) == [second.pk]
    second.refresh_from_db()
    assert second.matching_status == MatchingStatus.PENDING  # queued, not refused
    settings.MATCHING_REEMBED_PER_MINUTE = 30
    assert indexing.drain().applied == 1


@pytest.mark.django_db
def test_a_document_that_fails_is_marked_failed_and_the_others_are_applied(
    world, accelerator, monkeypatch
):
    model = engine.embedder()
    real = model.encode
    broken = "A requirement the model chokes on."

    def failing_on_one_text(texts, *args, **kwargs):
        if broken in texts:
            raise RuntimeError("the model failed")
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(model, "encode", failing_on_one_text)
    good = battery_challenge(accelerator)
    bad = battery_challenge(accelerator, required_capabilities=[broken])
    indexing.changes_record_for(Side.CHALLENGE, [good.pk, bad.pk])
    report = indexing.drain()
    assert (report.applied, report.failed) == (1, 1)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.matching_status, bad.matching_status) == ("ready", "failed")
    assert not DocumentChange.objects.exists()
    # Retried once the model is well again.
    monkeypatch.setattr(model, "encode", real)
    indexing.changes_record_for(Side.CHALLENGE, [bad.pk])
    indexing.drain()
    bad.refresh_from_db()
    assert bad.matching_status == MatchingStatus.READY


@pytest.mark.django_db
def test_evidence_sentences_are_stored_so_a_restart_encodes_none_again(
    world, accelerator, encoder_calls
):
    profiles = make_profiles()
    index_documents(*profiles.values())
    challenge = battery_challenge(accelerator)
    index_documents(challenge)
    assert SentenceVector.objects.exists()
    for cache in engine.sentence_vectors.values():
        cache.clear()  # a new process remembers nothing
    engine.registry.reset()
    encoder_calls.clear()
    Match.objects.all().delete()
    indexing.changes_record_for(Side.CHALLENGE, [challenge.pk])
    report = indexing.drain()
    assert report.proposed > 0
    assert report.encoded_sentences == 0
    assert encoder_calls == []


@pytest.mark.django_db(transaction=True)
def test_other_tenants_write_while_the_encoder_runs(world, accelerator, monkeypatch):
    """The encoder holds no transaction or lock: another firm's write and an operator's write
    complete while the indexer is in the middle of encoding."""
    profiles = make_profiles()
    index_documents(*profiles.values())
    other_accelerator = AcceleratorFactory(enterprise=world.other_enterprise)
    other_firm = actor_for(world.other_enterprise_user)
    model = engine.embedder()
    real = model.encode
    writes: list[str] = []
    errors: list[BaseException] = []

    def other_tenants_write():
        try:
            accelerator_update(
                actor=other_firm, accelerator=other_accelerator, data={"name": "Renamed"}
            )
            writes.append("accelerator")
            Challenge.objects.filter(pk=other_challenge.pk).update(title="Edited meanwhile")
            writes.append("challenge")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    def encode_while_others_write(texts, *args, **kwargs):
        if not writes and not errors:
            writer = threading.Thread(target=other_tenants_write)
            writer.start()
            writer.join(timeout=30)
            assert not writer.is_alive(), "a write waited for the encoder"
        return real(texts, *args, **kwargs)

    other_challenge = battery_challenge(other_accelerator, status=Challenge.Status.DRAFT)
    challenge = battery_challenge(accelerator)
    monkeypatch.setattr(model, "encode", encode_while_others_write)
    indexing.changes_record_for(Side.CHALLENGE, [challenge.pk])
    report = indexing.drain()
    assert errors == []
    assert writes == ["accelerator", "challenge"]
    assert report.applied == 1 and report.proposed > 0
