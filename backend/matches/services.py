"""Indexing, match proposals and the interest lifecycle."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.selectors import Actor, organization_user_ids
from backend.common.errors import InvalidTransitionError, PermissionDeniedError
from backend.matches import engine
from backend.matches.models import ChunkVector, IndexChange, Match, Side
from backend.notifications.services import notify
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile
from matching import Chunk, Document, ScoredDoc, SearchSpace, explain

logger = logging.getLogger(__name__)


# -- triggers: called by the programmes and startups services inside their transaction ---------


def challenge_changed(*, challenge: Challenge) -> None:
    """A challenge was published, edited, closed or archived: re-index it after commit."""
    from backend.matches.tasks import index_and_propose_challenge

    # Robust: the write has committed; if the broker is down, the worker's start-up reconcile
    # (or `manage.py rebuild_index`) indexes what was missed, so the request must not fail.
    transaction.on_commit(lambda: index_and_propose_challenge.delay(challenge.pk), robust=True)


def profile_changed(*, profile: StartupProfile) -> None:
    """A profile was saved: re-index it (and propose challenges if published) after commit."""
    from backend.matches.tasks import index_and_propose_profile

    transaction.on_commit(lambda: index_and_propose_profile.delay(profile.pk), robust=True)


# -- indexing -------------------------------------------------------------------------------


@transaction.atomic
def document_index(
    *, side: str, owner_id: int, known_vectors: Mapping[str, bytes] | None = None
) -> int:
    """Store the chunk vectors of one challenge or profile and log the change for every process.

    Only chunks whose text is new (by content hash, for this model) are encoded. A row that no
    longer exists, or is not searchable (a closed challenge, an unpublished profile), keeps its
    vectors but leaves the search spaces. `known_vectors` (content hash -> float32 bytes for the
    configured model) are used before encoding, e.g. the demo's shipped vectors. Returns how many
    chunks were encoded.
    """
    row = engine.searchable(side).filter(pk=owner_id).first()
    encoded = 0
    if row is not None:
        encoded = _store_vectors(side, owner_id, engine.document_of(side, row), known_vectors or {})
    IndexChange.objects.create(side=side, owner_id=owner_id)
    return encoded


def _store_vectors(side: str, owner_id: int, document, known_vectors: Mapping[str, bytes]) -> int:
    model = engine.embedder()
    chunks = model.chunk(document)
    hashes = [chunk.content_hash for chunk in chunks]
    current = list(
        ChunkVector.objects.filter(side=side, owner_id=owner_id, model_id=model.model_id)
        .order_by("field", "ordinal")
        .values_list("field", "ordinal", "content_hash")
    )
    if sorted(current) == sorted((c.field, c.ordinal, c.content_hash) for c in chunks):
        return 0
    known = {h: known_vectors[h] for h in hashes if h in known_vectors}
    known.update(
        ChunkVector.objects.filter(
            model_id=model.model_id, content_hash__in=set(hashes) - set(known)
        )
        .values_list("content_hash", "vector")
        .distinct()
    )
    missing = [chunk for chunk in chunks if chunk.content_hash not in known]
    if missing:
        fresh = model.encode([chunk.text for chunk in missing])
        for chunk, vector in zip(missing, fresh, strict=True):
            known[chunk.content_hash] = np.asarray(vector, dtype=np.float32).tobytes()
    ChunkVector.objects.filter(side=side, owner_id=owner_id, model_id=model.model_id).delete()
    ChunkVector.objects.bulk_create(
        ChunkVector(
            side=side,
            owner_id=owner_id,
            field=chunk.field,
            ordinal=chunk.ordinal,
            text=chunk.text,
            content_hash=chunk.content_hash,
            model_id=model.model_id,
            dimension=model.dimension,
            vector=bytes(known[chunk.content_hash]),
        )
        for chunk in chunks
    )
    return len({chunk.content_hash for chunk in missing})


def index_reconcile() -> int:
    """Index every searchable row whose stored chunks differ from its text; returns how many.

    Catches up on work whose task never reached the broker.
    """
    model = engine.embedder()
    stale = 0
    for side in Side.values:
        stored: dict[int, list[str]] = defaultdict(list)
        hashes = ChunkVector.objects.filter(side=side, model_id=model.model_id)
        for owner_id, content_hash in hashes.values_list("owner_id", "content_hash"):
            stored[owner_id].append(content_hash)
        for row in engine.searchable(side):
            wanted = [c.content_hash for c in model.chunk(engine.document_of(side, row))]
            if sorted(stored.get(row.pk, [])) != sorted(wanted):
                document_index(side=side, owner_id=row.pk)
                stale += 1
    return stale


def index_rebuild(*, known_vectors: Mapping[str, bytes] | None = None) -> int:
    """Re-embed what is missing for every searchable row and reload every process's spaces."""
    total = 0
    for side in Side.values:
        for owner_id in engine.searchable(side).values_list("pk", flat=True):
            total += document_index(side=side, owner_id=owner_id, known_vectors=known_vectors)
    engine.registry.reset()
    return total


# -- proposals ------------------------------------------------------------------------------


class _ChallengeQuery(NamedTuple):
    """A challenge as the engine queries with it: its document and stored chunk vectors."""

    document: Document
    chunks: list[Chunk]
    vectors: np.ndarray


def _challenge_query(challenge: Challenge) -> _ChallengeQuery | None:
    stored = engine.stored_chunks(Side.CHALLENGE, [challenge.pk]).get(challenge.pk)
    return (
        None if stored is None else _ChallengeQuery(engine.challenge_document(challenge), *stored)
    )


def _evidence(query: _ChallengeQuery, startups: SearchSpace, profile_id: int) -> dict:
    """Evidence from what the startup space already holds: no database round trip."""
    return explain(
        query.document,
        query.chunks,
        query.vectors,
        startups.get(profile_id),
        startups.chunks_of(profile_id),
        startups.vectors_of(profile_id),
        idf=startups.idf,
        encode=engine.sentence_vectors,
    ).to_dict()


def _record(
    challenge: Challenge,
    profile: StartupProfile,
    rank: int,
    ranked_among: int,
    hit: ScoredDoc,
    evidence: dict,
) -> bool:
    """Create or refresh one proposal; returns True when it is new. Declines stay declined."""
    values = {
        "score": float(hit.score),
        "rank": rank,
        "ranked_among": ranked_among,
        "components": {name: float(value) for name, value in hit.components.items()},
        "evidence": evidence,
    }
    match = Match.objects.filter(challenge=challenge, startup=profile).first()
    if match is None:
        match = Match.objects.create(challenge=challenge, startup=profile, **values)
        _notify(match, "match.proposed")
        return True
    if match.status != Match.Status.DECLINED:
        for field, value in values.items():
            setattr(match, field, value)
        match.save(update_fields=[*values, "updated_at"])
    return False


@transaction.atomic
def matches_propose_for_challenge(*, challenge: Challenge) -> int:
    """Propose the best startups for an open challenge, of those with the evidence a proposal
    needs (`SearchSpace.proposals`). Returns how many proposals are new."""
    query = _challenge_query(challenge)
    startups = engine.registry.space(Side.STARTUP)
    if challenge.status != Challenge.Status.OPEN or query is None or not len(startups):
        return 0
    proposals = startups.proposals(
        query.document, query.chunks, query.vectors, k=settings.MATCHING_PROPOSALS_PER_CHALLENGE
    )
    profiles = StartupProfile.objects.in_bulk([hit.doc_id for _, hit in proposals])
    return sum(
        _record(
            challenge,
            profiles[hit.doc_id],
            rank,
            len(startups),
            hit,
            _evidence(query, startups, hit.doc_id),
        )
        for rank, hit in proposals
        if hit.doc_id in profiles
    )


@transaction.atomic
def matches_propose_for_profile(*, profile: StartupProfile) -> int:
    """Propose the open challenges that fit a published profile best.

    A match's score and rank always read from the challenge's side (where this startup stands
    among all startups for that challenge), so a firm compares like with like.
    """
    startups = engine.registry.space(Side.STARTUP)
    challenges_space = engine.registry.space(Side.CHALLENGE)
    if not profile.published or profile.pk not in startups or not len(challenges_space):
        return 0
    hits = challenges_space.search(
        startups.get(profile.pk),
        startups.chunks_of(profile.pk),
        startups.vectors_of(profile.pk),
        k=settings.MATCHING_PROPOSALS_PER_PROFILE,
    )
    challenges = Challenge.objects.select_related("accelerator").in_bulk(
        [hit.doc_id for hit in hits]
    )
    created = 0
    for hit in hits:
        challenge = challenges.get(hit.doc_id)
        if challenge is None:
            continue
        # The challenge's vectors are in its search space already: no database round trip.
        query = _ChallengeQuery(
            challenges_space.get(hit.doc_id),
            challenges_space.chunks_of(hit.doc_id),
            challenges_space.vectors_of(hit.doc_id),
        )
        standing = startups.proposal_standing(
            query.document, query.chunks, query.vectors, profile.pk
        )
        if standing is not None:
            position, scored = standing
            evidence = _evidence(query, startups, profile.pk)
            created += _record(challenge, profile, position, len(startups), scored, evidence)
    return created


# -- the interest lifecycle -----------------------------------------------------------------


def _side_of(actor: Actor, match: Match) -> str:
    if actor.is_enterprise and match.challenge.accelerator.enterprise_id == actor.organization_id:
        return Match.Side.ENTERPRISE
    if actor.is_startup and match.startup.organization_id == actor.organization_id:
        return Match.Side.STARTUP
    raise PermissionDeniedError("Only the firm and the startup of a match can answer it.")


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update()
        .select_related("challenge__accelerator", "startup")
        .get(pk=match.pk)
    )


@transaction.atomic
def match_express_interest(*, match: Match, actor: Actor) -> Match:
    """One side says interested; when both have, the match is connected. Repeats are harmless."""
    match = _locked(match)
    side = _side_of(actor, match)
    if match.status == Match.Status.DECLINED:
        raise InvalidTransitionError("This match was declined.")
    now = timezone.now()
    if side == Match.Side.ENTERPRISE and match.enterprise_interested_at is None:
        match.enterprise_interested_by, match.enterprise_interested_at = actor.user, now
    elif side == Match.Side.STARTUP and match.startup_interested_at is None:
        match.startup_interested_by, match.startup_interested_at = actor.user, now
    else:
        return match
    if match.enterprise_interested_at and match.startup_interested_at:
        match.status, match.connected_at = Match.Status.CONNECTED, now
        match.save()
        _on_connected(match)
        _notify(match, "match.connected")
    else:
        match.status = (
            Match.Status.ENTERPRISE_INTERESTED
            if side == Match.Side.ENTERPRISE
            else Match.Status.STARTUP_INTERESTED
        )
        match.save()
        _notify(match, "match.interest")
    return match


@transaction.atomic
def match_decline(*, match: Match, actor: Actor, reason: str = "") -> Match:
    match = _locked(match)
    side = _side_of(actor, match)
    if match.status == Match.Status.DECLINED:
        return match
    if match.status == Match.Status.CONNECTED:
        raise InvalidTransitionError("A connected match cannot be declined.")
    match.status = Match.Status.DECLINED
    match.declined_side, match.declined_by, match.declined_at = side, actor.user, timezone.now()
    match.decline_reason = reason.strip()
    match.save()
    _notify(match, "match.declined")
    return match


def _on_connected(match: Match) -> None:
    """What opens when both sides agree: the conversation, in the same transaction."""
    from backend.chat.services import conversation_open_for_match

    conversation_open_for_match(match=match)


def _notify(match: Match, kind: str) -> None:
    notify(
        event={
            "type": kind,
            "match": match.pk,
            "challenge": match.challenge_id,
            "challenge_title": match.challenge.title,
            "startup": match.startup_id,
            "startup_name": match.startup.name,
            "status": match.status,
        },
        user_ids=organization_user_ids(match.challenge.accelerator.enterprise_id)
        + organization_user_ids(match.startup.organization_id),
    )
