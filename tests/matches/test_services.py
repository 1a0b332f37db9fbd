"""Indexing and proposals with the real model, the real FAISS index and BM25."""

from __future__ import annotations

import pytest

from backend.accounts.selectors import actor_for
from backend.common.errors import InvalidTransitionError, PermissionDeniedError
from backend.matches import services
from backend.matches.models import ChunkVector, IndexChange, Match, Side
from backend.programs.models import Challenge
from backend.programs.services import challenge_close, challenge_publish
from backend.startups.models import StartupProfile
from backend.startups.services import profile_save
from tests.factories import ChallengeFactory, OrganizationFactory, StartupProfileFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BATTERY = {
    "name": "VoltCell",
    "summary": "We make lithium-ion battery cells that charge at high rates and survive shock.",
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


def make_profiles():
    return {
        data["name"]: StartupProfileFactory(
            organization=OrganizationFactory(kind="startup", name=data["name"]), **data
        )
        for data in (BATTERY, VISION, KITCHEN)
    }


def index_all(profiles):
    for profile in profiles.values():
        services.document_index(side=Side.STARTUP, owner_id=profile.pk)


def battery_challenge(accelerator, **extra):
    return ChallengeFactory(
        accelerator=accelerator,
        title="Fast charging batteries that survive gun launch",
        problem_statement="Develop lithium-ion cells that recharge at 3C and survive 70,000 g "
        "shock, with long shelf life.",
        required_capabilities=["Lithium-ion cell design", "High-rate charging"],
        **extra,
    )


def test_indexing_stores_every_chunk_vector_and_logs_the_change(world, accelerator):
    profiles = make_profiles()
    encoded = services.document_index(side=Side.STARTUP, owner_id=profiles["VoltCell"].pk)
    rows = ChunkVector.objects.filter(side=Side.STARTUP, owner_id=profiles["VoltCell"].pk)
    assert encoded == rows.count() == 3  # the summary and two capability statements
    assert {row.field for row in rows} == {"text", "statement"}
    assert all(len(bytes(row.vector)) == 384 * 4 for row in rows)
    assert IndexChange.objects.filter(side=Side.STARTUP, owner_id=profiles["VoltCell"].pk).exists()


def test_reindexing_unchanged_text_encodes_nothing_and_a_changed_text_only_the_change(world):
    profile = make_profiles()["VoltCell"]
    services.document_index(side=Side.STARTUP, owner_id=profile.pk)
    assert services.document_index(side=Side.STARTUP, owner_id=profile.pk) == 0
    profile.capabilities = [*profile.capabilities, "Battery management software"]
    profile.save()
    assert services.document_index(side=Side.STARTUP, owner_id=profile.pk) == 1
    assert ChunkVector.objects.filter(owner_id=profile.pk, side=Side.STARTUP).count() == 4


def test_publishing_a_challenge_proposes_the_right_startup_first(
    world, accelerator, django_capture_on_commit_callbacks
):
    profiles = make_profiles()
    index_all(profiles)
    challenge = battery_challenge(accelerator, status=Challenge.Status.DRAFT, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_publish(challenge=challenge, by=world.enterprise_user)
    matches = list(Match.objects.filter(challenge=challenge).order_by("rank"))
    assert matches[0].startup.name == "VoltCell"
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    published = StartupProfile.objects.filter(published=True).count()
    assert {m.ranked_among for m in matches} == {published}
    # Ranked third of three, the field kitchen is still no match: it is not proposed.
    assert "FieldKitchen" not in {m.startup.name for m in matches}
    top = matches[0]
    assert top.status == Match.Status.PROPOSED
    # The score's components: the lexical and the dense evidence the ranker fused.
    assert "lexical" in top.components
    assert any(name.startswith("dense") for name in top.components)
    assert top.evidence["pairs"] and top.evidence["pairs"][0]["similarity"] > 0.3
    assert "lithium" in " ".join(top.evidence["shared_terms"]).lower()


def test_saving_a_profile_proposes_open_challenges_in_the_other_direction(
    world, accelerator, django_capture_on_commit_callbacks
):
    index_all(make_profiles())
    challenge = battery_challenge(accelerator)
    services.document_index(side=Side.CHALLENGE, owner_id=challenge.pk)
    with django_capture_on_commit_callbacks(execute=True):
        profile = profile_save(
            actor=actor_for(world.startup_user), data={**BATTERY, "published": True}
        )
    match = Match.objects.get(startup=profile)
    assert match.challenge == challenge
    assert match.rank == 1  # read from the challenge's side: best of all startups
    assert match.ranked_among == StartupProfile.objects.filter(published=True).count() > 1


def test_closing_a_challenge_takes_it_out_of_the_search_space(
    world, accelerator, django_capture_on_commit_callbacks
):
    challenge = battery_challenge(accelerator)
    services.document_index(side=Side.CHALLENGE, owner_id=challenge.pk)
    from backend.matches.engine import registry

    assert challenge.pk in registry.space(Side.CHALLENGE)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_close(challenge=challenge, by=world.enterprise_user)
    assert challenge.pk not in registry.space(Side.CHALLENGE)


def test_reproposal_never_resurrects_a_declined_match(world, accelerator):
    profiles = make_profiles()
    profiles["VoltCell"].organization = world.startup
    profiles["VoltCell"].save()
    index_all(profiles)
    challenge = battery_challenge(accelerator)
    services.document_index(side=Side.CHALLENGE, owner_id=challenge.pk)
    services.matches_propose_for_challenge(challenge=challenge)
    match = Match.objects.get(challenge=challenge, startup=profiles["VoltCell"])
    services.match_decline(match=match, actor=actor_for(world.startup_user), reason="Too early")
    assert services.matches_propose_for_challenge(challenge=challenge) == 0
    match.refresh_from_db()
    assert match.status == Match.Status.DECLINED
    assert match.decline_reason == "Too early"
    assert match.declined_side == Match.Side.STARTUP


def test_interest_from_both_sides_connects_and_repeats_are_harmless(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    firm, startup = actor_for(world.enterprise_user), actor_for(world.startup_user)
    assert services.match_express_interest(match=match, actor=firm).status == (
        Match.Status.ENTERPRISE_INTERESTED
    )
    assert services.match_express_interest(match=match, actor=firm).status == (
        Match.Status.ENTERPRISE_INTERESTED
    )
    connected = services.match_express_interest(match=match, actor=startup)
    assert connected.status == Match.Status.CONNECTED
    assert connected.connected_at is not None
    with pytest.raises(InvalidTransitionError):
        services.match_decline(match=match, actor=firm)


def test_strangers_cannot_answer_a_match(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    for user in (world.other_enterprise_user, world.other_startup_user, world.operator_user):
        with pytest.raises(PermissionDeniedError):
            services.match_express_interest(match=match, actor=actor_for(user))


def test_a_declined_match_cannot_become_interested(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    services.match_decline(match=match, actor=actor_for(world.enterprise_user))
    with pytest.raises(InvalidTransitionError):
        services.match_express_interest(match=match, actor=actor_for(world.startup_user))
