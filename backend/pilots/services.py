"""Every write of a pilot and an outcome. Each checks its actor: only the two parties of a
connected match write; the other party accepts or declines and confirms, the proposer may
withdraw; only the firm's decision owner decides, and the firm (or an operator) hands that role
to another member. Otherwise operators read everything and write nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import Actor, operator_user_ids, organization_user_ids
from backend.chat.models import Conversation
from backend.chat.services import conversation_record_event
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.matches.models import Match
from backend.notifications.services import notify
from backend.pilots.models import (
    CRITERIA_MAX,
    CRITERIA_MIN,
    DOCUMENT_MAX_BYTES,
    QUIET_DAYS,
    Outcome,
    Pilot,
    PilotUpdate,
)
from backend.pilots.selectors import firm_members, side_of


def _party_side(actor: Actor, match: Match) -> str:
    side = side_of(actor, match)
    if side is None:
        raise PermissionDeniedError(_("Only the firm and the startup of the match do this."))
    return side


def _check_other_party(actor: Actor, match: Match, first_side: str) -> None:
    """What one party proposes or records, the other accepts or confirms."""
    if _party_side(actor, match) == first_side:
        raise PermissionDeniedError(_("The other party answers this, not the one that wrote it."))


def _check_connected(match: Match) -> None:
    if match.status != Match.Status.CONNECTED:
        raise InvalidTransitionError(_("Only a connected match can have pilots and outcomes."))


def _check_length(starts_on: date, ends_on: date, *, field: str) -> None:
    if (ends_on - starts_on).days > settings.PILOT_MAX_DAYS:
        raise ApplicationError(
            _("A pilot runs %(pilot_max_days)s days at most.")
            % {"pilot_max_days": settings.PILOT_MAX_DAYS},
            fields={field: [_("Longer than a pilot may run.")]},
        )


def _event(kind: str, actor: Actor | None, pilot: Pilot | None, match: Match) -> dict:
    """No startup name beyond the match's own (as every match event carries); the conversation
    lets the bell link to the page with the pilot's panel."""
    conversation_id = Conversation.objects.filter(match=match).values_list("pk", flat=True).first()
    event = {
        "type": kind,
        "by": actor.user.pk if actor is not None else None,
        "match": match.pk,
        "challenge": match.challenge_id,
        "challenge_title": match.challenge.title,
        "startup": match.startup_id,
        "startup_name": match.startup.name,
        "conversation": conversation_id,
    }
    if pilot is not None:
        event["pilot"] = pilot.pk
    return event


def _announce(event: dict, actor: Actor, match: Match) -> None:
    """Tell both parties of what `actor` did (stored notifications), and record it in their
    conversation's timeline, where they talk about it."""
    notify(event=event, user_ids=_parties(match))
    conversation_record_event(match_id=match.pk, sender=actor.user, event=event)


def _parties(match: Match) -> list[int]:
    return organization_user_ids(match.challenge.accelerator.enterprise_id) + (
        organization_user_ids(match.startup.organization_id)
    )


@transaction.atomic
def pilot_propose(
    *,
    actor: Actor,
    match: Match,
    question: str,
    success_criteria: Sequence[str],
    decision_owner: User,
    starts_on: date,
    ends_on: date,
    terms: str,
    amount: Decimal,
    ip_terms: str,
) -> Pilot:
    """Propose a pilot on a connected match; the other party accepts it."""
    side = _party_side(actor, match)
    _check_connected(match)
    criteria = [c.strip() for c in success_criteria if c.strip()]
    if not CRITERIA_MIN <= len(criteria) <= CRITERIA_MAX:
        bounds = {"low": CRITERIA_MIN, "high": CRITERIA_MAX}
        raise ApplicationError(
            _("A pilot has %(low)s to %(high)s success criteria.") % bounds,
            fields={"success_criteria": [_("Give %(low)s to %(high)s criteria.") % bounds]},
        )
    if not firm_members(match).filter(pk=decision_owner.pk).exists():
        raise ApplicationError(
            _("The decision owner is a member of the firm."),
            fields={"decision_owner": [_("Not a member of the firm.")]},
        )
    if ends_on <= starts_on:
        raise ApplicationError(
            _("A pilot ends after it starts."), fields={"ends_on": [_("End after the start date.")]}
        )
    _check_length(starts_on, ends_on, field="ends_on")
    pilot = Pilot(
        match=match,
        question=question.strip(),
        success_criteria=criteria,
        decision_owner=decision_owner,
        starts_on=starts_on,
        ends_on=ends_on,
        terms=terms,
        amount=amount,
        ip_terms=ip_terms,
        proposed_side=side,
        proposed_by=actor.user,
    )
    pilot.full_clean()
    pilot.save()
    _announce(_event("pilot.proposed", actor, pilot, match), actor, match)
    return pilot


def _locked(pilot: Pilot) -> Pilot:
    """The pilot re-read under a row lock: two answers at once cannot both apply."""
    return (
        Pilot.objects.select_for_update()
        .select_related("match__challenge__accelerator", "match__startup")
        .get(pk=pilot.pk)
    )


@transaction.atomic
def pilot_accept(*, actor: Actor, pilot: Pilot) -> Pilot:
    """The other party accepts the proposal, and the pilot runs."""
    pilot = _locked(pilot)
    _check_other_party(actor, pilot.match, pilot.proposed_side)
    if pilot.state != Pilot.State.PROPOSED:
        raise InvalidTransitionError(_("Only a proposed pilot can be accepted."))
    now = timezone.now()
    pilot.state = Pilot.State.RUNNING
    pilot.accepted_by = actor.user
    pilot.accepted_at = now
    pilot.last_activity_at = now
    pilot.save()
    _announce(_event("pilot.accepted", actor, pilot, pilot.match), actor, pilot.match)
    return pilot


def _close(actor: Actor, pilot: Pilot, state: str, reason: str, kind: str) -> Pilot:
    """End a proposal that never ran, with the actor's reason (optional)."""
    if pilot.state != Pilot.State.PROPOSED:
        raise InvalidTransitionError(_("Only a proposed pilot can be withdrawn or declined."))
    pilot.state = state
    pilot.closed_by = actor.user
    pilot.closed_at = timezone.now()
    pilot.closed_reason = reason.strip()
    pilot.full_clean()
    pilot.save()
    _announce(_event(kind, actor, pilot, pilot.match), actor, pilot.match)
    return pilot


@transaction.atomic
def pilot_withdraw(*, actor: Actor, pilot: Pilot, reason: str = "") -> Pilot:
    """The party that proposed the pilot takes the proposal back before it is accepted."""
    pilot = _locked(pilot)
    if _party_side(actor, pilot.match) != pilot.proposed_side:
        raise PermissionDeniedError(_("Only the party that proposed the pilot withdraws it."))
    return _close(actor, pilot, Pilot.State.WITHDRAWN, reason, "pilot.withdrawn")


@transaction.atomic
def pilot_decline(*, actor: Actor, pilot: Pilot, reason: str = "") -> Pilot:
    """The other party refuses the proposal instead of accepting it."""
    pilot = _locked(pilot)
    _check_other_party(actor, pilot.match, pilot.proposed_side)
    return _close(actor, pilot, Pilot.State.DECLINED, reason, "pilot.declined")


@transaction.atomic
def pilot_reassign_owner(*, actor: Actor, pilot: Pilot, decision_owner: User) -> Pilot:
    """Hand the decision to another active member of the firm (the owner leaves, or the role
    moves), while the pilot is still to be decided: by a member of the firm or an operator."""
    pilot = _locked(pilot)
    if not actor.is_operator and side_of(actor, pilot.match) != Match.Side.ENTERPRISE:
        raise PermissionDeniedError(_("Only the firm or an operator changes the decision owner."))
    if pilot.state not in (Pilot.State.PROPOSED, Pilot.State.RUNNING):
        raise InvalidTransitionError(_("Only a pilot still to be decided changes its owner."))
    if not firm_members(pilot.match).filter(pk=decision_owner.pk).exists():
        raise ApplicationError(
            _("The decision owner is a member of the firm."),
            fields={"decision_owner": [_("Not a member of the firm.")]},
        )
    if decision_owner.pk == pilot.decision_owner_id:
        return pilot
    pilot.decision_owner = decision_owner
    pilot.save(update_fields=["decision_owner", "updated_at"])
    _announce(
        {
            **_event("pilot.owner_changed", actor, pilot, pilot.match),
            "decision_owner": decision_owner.pk,
        },
        actor,
        pilot.match,
    )
    return pilot


@transaction.atomic
def pilot_post_update(*, actor: Actor, pilot: Pilot, text: str, on: date) -> PilotUpdate:
    """A dated update on a running pilot, by either party; it ends a quiet spell."""
    pilot = _locked(pilot)
    side = _party_side(actor, pilot.match)
    if pilot.state != Pilot.State.RUNNING:
        raise InvalidTransitionError(_("Updates are posted on a running pilot."))
    if on > timezone.localdate():
        raise ApplicationError(
            _("An update tells what happened."), fields={"on": [_("Not a date in the future.")]}
        )
    update = PilotUpdate(pilot=pilot, author=actor.user, side=side, on=on, text=text.strip())
    update.full_clean()
    update.save()
    pilot.last_activity_at = timezone.now()
    pilot.quiet_alerted_at = None
    pilot.save(update_fields=["last_activity_at", "quiet_alerted_at", "updated_at"])
    _announce(_event("pilot.updated", actor, pilot, pilot.match), actor, pilot.match)
    return update


@transaction.atomic
def pilot_decide(
    *,
    actor: Actor,
    pilot: Pilot,
    decision: str,
    reason: str,
    new_ends_on: date | None = None,
    stop_reason: str = "",
    lesson: str = "",
) -> Pilot:
    """The firm's decision owner decides a running pilot: scale it, stop it (with a reason code
    and a lesson), or extend it to a later end date (it keeps running)."""
    pilot = _locked(pilot)
    if actor.user.pk != pilot.decision_owner_id or side_of(actor, pilot.match) is None:
        raise PermissionDeniedError(_("Only the pilot's decision owner decides it."))
    if pilot.state != Pilot.State.RUNNING:
        raise InvalidTransitionError(_("Only a running pilot can be decided."))
    if not reason.strip():
        raise ApplicationError(_("Say why."), fields={"reason": [_("Give the reason.")]})
    if decision == Pilot.Decision.STOP and not (stop_reason and lesson.strip()):
        raise ApplicationError(
            _("A stopped pilot says why and what was learnt."),
            fields={
                key: [_("Required when stopping.")]
                for key, value in (("stop_reason", stop_reason), ("lesson", lesson.strip()))
                if not value
            },
        )
    if decision == Pilot.Decision.EXTEND:
        if new_ends_on is None or new_ends_on <= pilot.ends_on:
            raise ApplicationError(
                _("An extension ends later."),
                fields={"new_ends_on": [_("Give an end date after the current one.")]},
            )
        # An extension runs as long as a pilot may, from the current end.
        _check_length(pilot.ends_on, new_ends_on, field="new_ends_on")
        pilot.ends_on = new_ends_on
    else:
        pilot.state = Pilot.State.DECIDED
    pilot.decision = decision
    pilot.decision_reason = reason.strip()
    pilot.stop_reason = stop_reason if decision == Pilot.Decision.STOP else ""
    pilot.lesson = lesson.strip() if decision == Pilot.Decision.STOP else ""
    pilot.decided_by = actor.user
    pilot.decided_at = timezone.now()
    pilot.full_clean()
    pilot.save()
    kind = "pilot.extended" if decision == Pilot.Decision.EXTEND else "pilot.decided"
    _announce(_event(kind, actor, pilot, pilot.match), actor, pilot.match)
    return pilot


def pilots_alert(now: datetime | None = None) -> int:
    """Alert both parties and the operators of each running pilot quiet for `QUIET_DAYS` (once
    per quiet spell) and of each one past its end date without a decision (once per end date).
    Returns how many alerts went out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    quiet = Pilot.objects.filter(
        state=Pilot.State.RUNNING,
        quiet_alerted_at__isnull=True,
        last_activity_at__lte=now - timedelta(days=QUIET_DAYS),
    )
    due = Pilot.objects.filter(state=Pilot.State.RUNNING, ends_on__lte=today).exclude(
        due_alerted_for=F("ends_on")
    )
    return _alert_each(quiet, "pilot.quiet", quiet_alerted_at=now) + _alert_each(
        due, "pilot.due", due_alerted_for=F("ends_on")
    )


def _alert_each(pending: QuerySet[Pilot], kind: str, **mark) -> int:
    """Mark and alert each pending pilot in its own transaction; the conditional update makes a
    concurrent run (two processes) alert each pilot once."""
    sent = 0
    for pilot_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            if not pending.filter(pk=pilot_id).update(**mark):
                continue
            pilot = Pilot.objects.select_related(
                "match__challenge__accelerator", "match__startup"
            ).get(pk=pilot_id)
            notify(
                event={**_event(kind, None, pilot, pilot.match), "ends_on": str(pilot.ends_on)},
                user_ids=_parties(pilot.match) + operator_user_ids(),
            )
            sent += 1
    return sent


@transaction.atomic
def outcome_record(
    *,
    actor: Actor,
    match: Match,
    kind: str,
    amount: Decimal,
    currency: str,
    on: date,
    pilot: Pilot | None = None,
) -> Outcome:
    """Record a deal that followed a connected match (or one of its pilots); the other party
    confirms it."""
    side = _party_side(actor, match)
    _check_connected(match)
    if pilot is not None and pilot.match_id != match.pk:
        raise ApplicationError(
            _("The pilot belongs to another match."),
            fields={"pilot": [_("Not a pilot of this match.")]},
        )
    outcome = Outcome(
        match=match,
        pilot=pilot,
        kind=kind,
        amount=amount,
        currency=currency,
        date=on,
        recorded_side=side,
        recorded_by=actor.user,
    )
    outcome.full_clean()
    outcome.save()
    _announce(_event("outcome.recorded", actor, pilot, match), actor, match)
    return outcome


@transaction.atomic
def outcome_confirm(*, actor: Actor, outcome: Outcome) -> Outcome:
    """The other party confirms the outcome as recorded; only then does it count."""
    outcome = Outcome.objects.select_for_update().get(pk=outcome.pk)
    match = Match.objects.select_related("challenge__accelerator", "startup").get(
        pk=outcome.match_id
    )
    _check_other_party(actor, match, outcome.recorded_side)
    if outcome.confirmed_at is not None:
        raise InvalidTransitionError(_("The outcome is confirmed already."))
    outcome.confirmed_by = actor.user
    outcome.confirmed_at = timezone.now()
    outcome.save()
    _announce(_event("outcome.confirmed", actor, outcome.pilot, match), actor, match)
    return outcome


@transaction.atomic
def outcome_attach_document(*, actor: Actor, outcome: Outcome, upload: UploadedFile) -> Outcome:
    """The recording party attaches the outcome's PDF (replacing any), before it is confirmed:
    what the other party confirms includes the document."""
    outcome = (
        Outcome.objects.select_for_update()
        .select_related("match__challenge__accelerator", "match__startup")
        .get(pk=outcome.pk)
    )
    if _party_side(actor, outcome.match) != outcome.recorded_side:
        raise PermissionDeniedError(_("The party that recorded the outcome attaches its document."))
    if outcome.confirmed_at is not None:
        raise InvalidTransitionError(_("The outcome is confirmed already."))
    if (upload.size or 0) > DOCUMENT_MAX_BYTES:  # every upload Django parses has its size
        raise ApplicationError(
            _("A document may be at most 10 MB."), code="too_large", status_code=413
        )
    upload.seek(0)
    starts_as_pdf = upload.read(5) == b"%PDF-"  # by the bytes, not the name or claimed type
    upload.seek(0)
    if not starts_as_pdf:
        raise ApplicationError(_("Only PDF documents are accepted."), code="not_pdf")
    if outcome.document:
        outcome.document.delete(save=False)
    outcome.document = upload
    outcome.document_name = (upload.name or "document.pdf").rsplit("/", 1)[-1][-200:]
    outcome.save()
    return outcome
