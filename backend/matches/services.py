"""Match proposals as the indexer records them, and the interest lifecycle."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from backend.accounts.selectors import Actor, organization_user_ids
from backend.common.changes import document_changed
from backend.common.errors import InvalidTransitionError, PermissionDeniedError
from backend.matches.models import Match, Side
from backend.notifications.services import notify
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile

# Sent inside the transaction that connects a match, with `match`.
match_connected = Signal()


# -- proposals (recorded by the indexer, `backend.matches.indexing`) ------------------------


def match_record_proposal(
    *,
    challenge_id: int,
    profile_id: int,
    rank: int,
    ranked_among: int,
    score: float,
    components: Mapping[str, float],
    evidence: dict,
) -> bool:
    """Create or refresh one proposal; returns True when it is new, and only then are both
    sides told. A declined match stays declined, with its reason and side, however it scores."""
    values = {
        "score": float(score),
        "rank": rank,
        "ranked_among": ranked_among,
        "components": {name: float(value) for name, value in components.items()},
        "evidence": evidence,
    }
    match = (
        Match.objects.select_related("challenge__accelerator", "startup")
        .filter(challenge_id=challenge_id, startup_id=profile_id)
        .first()
    )
    if match is None:
        match = Match.objects.create(challenge_id=challenge_id, startup_id=profile_id, **values)
        _notify(match, "match.proposed")
        return True
    if match.status != Match.Status.DECLINED:
        for name, value in values.items():
            setattr(match, name, value)
        match.save(update_fields=[*values, "updated_at"])
    return False


def matching_retry(*, actor: Actor, document: Challenge | StartupProfile) -> None:
    """Ask the indexer again for one's own open challenge or published profile (after a
    failure, say); the organisation's re-embedding budget still applies."""
    if isinstance(document, Challenge):
        if not (actor.is_enterprise and document.enterprise_id == actor.organization_id):
            raise PermissionDeniedError("Only the firm of a challenge can have it matched again.")
        if document.status != Challenge.Status.OPEN:
            raise InvalidTransitionError("Only an open challenge is matched.")
        kind = Side.CHALLENGE
    else:
        if not (actor.is_startup and document.organization_id == actor.organization_id):
            raise PermissionDeniedError("Only the startup of a profile can have it matched again.")
        if not document.published:
            raise InvalidTransitionError("Only a published profile is matched.")
        kind = Side.STARTUP
    with transaction.atomic():
        document_changed(kind=kind, document=document, organization_id=actor.organization_id)


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
        _notify(match, "match.connected", by=actor)
    else:
        match.status = (
            Match.Status.ENTERPRISE_INTERESTED
            if side == Match.Side.ENTERPRISE
            else Match.Status.STARTUP_INTERESTED
        )
        match.save()
        _notify(match, "match.interest", by=actor)
    return match


@transaction.atomic
def match_decline(*, match: Match, actor: Actor, reason: str = "") -> Match:
    """Either side says no. The side is recorded: a firm's decline also closes a confidential
    challenge to the startup (programs.selectors.challenges_visible_to); a startup's does not."""
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
    _notify(match, "match.declined", by=actor)
    return match


def _on_connected(match: Match) -> None:
    """What opens when both sides agree (the conversation, in the chat app) opens in the same
    transaction: the signal's receivers run synchronously."""
    match_connected.send(sender=Match, match=match)


def _notify(match: Match, kind: str, by: Actor | None = None) -> None:
    """Tell both organisations; `by` (the acting user's id, absent for the engine's proposals)
    lets the actor's own pages update without telling them what they just did."""
    notify(
        event={
            "type": kind,
            "by": by.user.pk if by is not None else None,
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
