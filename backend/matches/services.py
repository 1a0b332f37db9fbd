"""Match proposals as the indexer records them, and the interest lifecycle."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import Actor, organization_user_ids
from backend.common.changes import document_changed, matching_work_on_commit
from backend.common.errors import (
    ApplicationError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from backend.matches.models import ApplicationAttachment, Match, Side
from backend.matches.selectors import (
    UNDO_DECLINE_DAYS,
    awaiting_firm,
    undo_decline_until,
    working_days_between,
)
from backend.matches.signals import match_connected
from backend.notifications.services import notify
from backend.programs.models import Challenge
from backend.programs.selectors import challenges_visible_to
from backend.startups.models import StartupProfile
from backend.startups.selectors import profile_of

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


def match_record_standing(
    *,
    match_id: int,
    rank: int,
    ranked_among: int,
    score: float,
    components: Mapping[str, float],
    evidence: dict,
) -> None:
    """An application's rank, score and evidence, computed by the indexer exactly as for a
    proposal, so a firm compares applicants with proposed startups like with like."""
    Match.objects.filter(pk=match_id).update(
        rank=rank,
        ranked_among=ranked_among,
        score=float(score),
        components={name: float(value) for name, value in components.items()},
        evidence=evidence,
        updated_at=timezone.now(),
    )


# -- applications ---------------------------------------------------------------------------


@transaction.atomic
def match_apply(*, actor: Actor, challenge_id: int, pitch: str) -> tuple[Match, bool]:
    """A startup applies to an open challenge it may see, with a pitch; returns the match and
    whether it is new. One match per challenge and startup, whichever came first: applying to
    a challenge that already proposed this startup says interested on that proposal, with the
    pitch. The indexer ranks a new application after the response."""
    if not actor.is_startup:
        raise PermissionDeniedError(_("Only a startup applies to a challenge."))
    challenge = challenges_visible_to(actor).filter(pk=challenge_id).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."))
    if challenge.status != Challenge.Status.OPEN:
        raise InvalidTransitionError(_("This challenge no longer takes applications."))
    if challenge.deadline is not None and challenge.deadline < timezone.localdate():
        raise InvalidTransitionError(_("This challenge's deadline has passed."))
    profile = profile_of(actor)
    if profile is None or not profile.published:
        raise InvalidTransitionError(
            _("Publish your profile first: the firm reads it with your pitch.")
        )
    pitch = pitch.strip()
    existing = Match.objects.filter(challenge=challenge, startup=profile).first()
    if existing is not None:
        match = _locked(existing)
        if match.status == Match.Status.DECLINED or match.startup_interested_at is not None:
            raise InvalidTransitionError(_("You have already answered this challenge."))
        match.pitch = pitch
        match.save(update_fields=["pitch", "updated_at"])
        return match_express_interest(match=match, actor=actor), False
    match = Match.objects.create(
        challenge=challenge,
        startup=profile,
        origin=Match.Origin.APPLIED,
        pitch=pitch,
        status=Match.Status.STARTUP_INTERESTED,
        startup_interested_by=actor.user,
        startup_interested_at=timezone.now(),
    )
    _notify(match, "match.applied", by=actor)
    # The indexer ranks it (an application is matching work, as a changed document is).
    matching_work_on_commit(sender=Match)
    return match, True


def _is_pdf(upload: UploadedFile) -> bool:
    """By the bytes, not by the name or the type the client claims."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    return head == b"%PDF-"


@transaction.atomic
def attachment_add(*, actor: Actor, match: Match, upload: UploadedFile) -> ApplicationAttachment:
    """A PDF for the firm, added by the startup that applied."""
    match = _locked(match)
    if _side_of(actor, match) != Match.Side.STARTUP or match.origin != Match.Origin.APPLIED:
        raise PermissionDeniedError(_("Only the startup that applied adds documents to it."))
    if match.status == Match.Status.DECLINED:
        raise InvalidTransitionError(_("This match was declined."))
    size = upload.size or 0  # every upload Django parses has its size
    if size > ApplicationAttachment.MAX_BYTES:
        raise ApplicationError(
            _("A document may be at most 10 MB."), code="too_large", status_code=413
        )
    if not _is_pdf(upload):
        raise ApplicationError(_("Only PDF documents are accepted."), code="not_pdf")
    if match.attachments.count() >= ApplicationAttachment.MAX_PER_MATCH:
        raise InvalidTransitionError(_("An application holds at most 5 documents."))
    name = (upload.name or "document.pdf").rsplit("/", 1)[-1][-200:]
    return ApplicationAttachment.objects.create(
        match=match, file=upload, name=name, size=size, uploaded_by=actor.user
    )


def matching_retry(*, actor: Actor, document: Challenge | StartupProfile) -> None:
    """Ask the indexer again for one's own open challenge or published profile (after a
    failure, say); the organisation's re-embedding budget still applies."""
    if isinstance(document, Challenge):
        if not (actor.is_enterprise and document.enterprise_id == actor.organization_id):
            raise PermissionDeniedError(
                _("Only the firm of a challenge can have it matched again.")
            )
        if document.status != Challenge.Status.OPEN:
            raise InvalidTransitionError(_("Only an open challenge is matched."))
        kind = Side.CHALLENGE
    else:
        if not (actor.is_startup and document.organization_id == actor.organization_id):
            raise PermissionDeniedError(
                _("Only the startup of a profile can have it matched again.")
            )
        if not document.published:
            raise InvalidTransitionError(_("Only a published profile is matched."))
        kind = Side.STARTUP
    with transaction.atomic():
        document_changed(kind=kind, document=document, organization_id=actor.organization_id)


# -- the interest lifecycle -----------------------------------------------------------------


def _side_of(actor: Actor, match: Match) -> str:
    if actor.is_enterprise and match.challenge.accelerator.enterprise_id == actor.organization_id:
        return Match.Side.ENTERPRISE
    if actor.is_startup and match.startup.organization_id == actor.organization_id:
        return Match.Side.STARTUP
    raise PermissionDeniedError(_("Only the firm and the startup of a match can answer it."))


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
        raise InvalidTransitionError(_("This match was declined."))
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
def match_decline(
    *, match: Match, actor: Actor, reason_code: str = "", feedback: str = "", note: str = ""
) -> Match:
    """Either side says no. A firm gives a reason code, which the startup reads with the
    optional `feedback`; `note` stays with the declining side's organisation. The side is
    recorded: a firm's decline also closes a confidential challenge to the startup
    (programs.selectors.challenges_visible_to); a startup's does not."""
    match = _locked(match)
    side = _side_of(actor, match)
    if match.status == Match.Status.DECLINED:
        return match
    if match.status == Match.Status.CONNECTED:
        raise InvalidTransitionError(_("A connected match cannot be declined."))
    if reason_code and reason_code not in Match.ReasonCode.values:
        raise ApplicationError(
            _("Choose one of the reasons."),
            code="invalid",
            fields={"reason_code": [_("Unknown reason.")]},
        )
    if side == Match.Side.ENTERPRISE and not reason_code:
        raise ApplicationError(
            _("Say why, so the startup can act on it."),
            code="reason_required",
            fields={"reason_code": [_("A firm's decline needs a reason.")]},
        )
    match.status = Match.Status.DECLINED
    match.declined_side, match.declined_by, match.declined_at = side, actor.user, timezone.now()
    match.reason_code, match.feedback, match.decline_note = (
        reason_code,
        feedback.strip(),
        note.strip(),
    )
    match.save()
    _notify(match, "match.declined", by=actor)
    return match


@transaction.atomic
def match_undo_decline(*, match: Match, actor: Actor) -> Match:
    """The side that declined takes it back within `UNDO_DECLINE_DAYS`: the match returns to
    where it stood, and what was said about the decline is cleared."""
    match = _locked(match)
    side = _side_of(actor, match)
    if match.status != Match.Status.DECLINED:
        raise InvalidTransitionError(_("This match is not declined."))
    if side != match.declined_side:
        raise PermissionDeniedError(_("Only the side that declined can take it back."))
    if undo_decline_until(actor, match) is None:
        raise InvalidTransitionError(
            _("A decline can be taken back within %(undo_decline_days)s days only.")
            % {"undo_decline_days": UNDO_DECLINE_DAYS}
        )
    if match.enterprise_interested_at is not None:
        match.status = Match.Status.ENTERPRISE_INTERESTED
    elif match.startup_interested_at is not None:
        match.status = Match.Status.STARTUP_INTERESTED
    else:
        match.status = Match.Status.PROPOSED
    match.declined_side, match.declined_by, match.declined_at = "", None, None
    match.reason_code = match.feedback = match.decline_note = ""
    match.save()
    _notify(match, "match.undeclined", by=actor)
    return match


@transaction.atomic
def match_shortlist(*, match: Match, actor: Actor, shortlisted: bool = True) -> Match:
    """The firm puts a startup on (or takes it off) its shortlist; the startup's timeline
    shows that it is shortlisted, never by whom."""
    match = _locked(match)
    if _side_of(actor, match) != Match.Side.ENTERPRISE:
        raise PermissionDeniedError(_("Only the firm of a challenge shortlists."))
    if match.status in (Match.Status.DECLINED, Match.Status.CONNECTED):
        raise InvalidTransitionError(_("Only an open match is shortlisted."))
    if shortlisted == (match.shortlisted_at is not None):
        return match
    match.shortlisted_by = actor.user if shortlisted else None
    match.shortlisted_at = timezone.now() if shortlisted else None
    match.save()
    if shortlisted:
        _notify(match, "match.shortlisted", by=actor)
    return match


def matches_mark_viewed(*, actor: Actor, match_ids: list[int]) -> int:
    """A member of the firm has seen these matches (the startup's timeline says "viewed");
    operators' reads do not count. One statement; returns how many were new."""
    if not actor.is_enterprise:
        return 0
    return Match.objects.filter(
        pk__in=match_ids,
        challenge__accelerator__enterprise_id=actor.organization_id,
        viewed_at__isnull=True,
    ).update(viewed_at=timezone.now())


def matches_remind_overdue() -> int:
    """Remind each firm, once per match, of startups waiting past the challenge's response
    promise; returns how many reminders went out."""
    now = timezone.now()
    reminded = 0
    for match in (
        awaiting_firm()
        .filter(reminded_at__isnull=True)
        .select_related("challenge__accelerator", "startup")
    ):
        asked = match.startup_interested_at
        if asked is None:  # never, for a startup-interested match; said for the types
            continue
        waited = working_days_between(asked, now)
        if waited <= match.challenge.response_days:
            continue
        with transaction.atomic():
            if Match.objects.filter(pk=match.pk, reminded_at__isnull=True).update(reminded_at=now):
                notify(
                    event={**_event(match, "match.overdue"), "waiting_days": waited},
                    user_ids=organization_user_ids(match.challenge.accelerator.enterprise_id),
                )
                reminded += 1
    return reminded


def _on_connected(match: Match) -> None:
    """What opens when both sides agree (the conversation, in the chat app) opens in the same
    transaction: the signal's receivers run synchronously."""
    match_connected.send(sender=Match, match=match)


def _event(match: Match, kind: str, by: Actor | None = None) -> dict:
    return {
        "type": kind,
        "by": by.user.pk if by is not None else None,
        "match": match.pk,
        "challenge": match.challenge_id,
        "challenge_title": match.challenge.title,
        "startup": match.startup_id,
        "startup_name": match.startup.name,
        "status": match.status,
    }


def _notify(match: Match, kind: str, by: Actor | None = None) -> None:
    """Tell both organisations; `by` (the acting user's id, absent for the engine's proposals)
    lets the actor's own pages update without telling them what they just did."""
    notify(
        event=_event(match, kind, by),
        user_ids=organization_user_ids(match.challenge.accelerator.enterprise_id)
        + organization_user_ids(match.startup.organization_id),
    )
