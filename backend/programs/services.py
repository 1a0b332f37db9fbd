"""Every write to programmes, challenges and cohorts, with its rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.accounts.selectors import Actor, organization_user_ids
from backend.common.changes import document_changed
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.common.models import DocumentKind
from backend.notifications.services import notify
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership


def _apply(instance, data: dict[str, Any]):
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def accelerator_create(*, actor: Actor, data: dict[str, Any]) -> Accelerator:
    if not actor.is_enterprise:
        raise PermissionDeniedError(_("Only a firm can run an accelerator."))
    return _apply(Accelerator(enterprise=actor.organization), data)


def _check_runs(actor: Actor, enterprise_id: int) -> None:
    """Only a member of the firm that runs an accelerator may change it or its challenges.

    Callers pass the owner as stored, not as read off the caller's copy, which may carry
    unsaved edits (a bound form writes the posted values onto its instance).
    """
    if not actor.is_enterprise or enterprise_id != actor.organization_id:
        raise PermissionDeniedError(_("Only the firm that runs this accelerator may change it."))


@transaction.atomic
def accelerator_update(
    *, actor: Actor, accelerator: Accelerator, data: dict[str, Any]
) -> Accelerator:
    stored = Accelerator.objects.values_list("enterprise_id", flat=True).get(pk=accelerator.pk)
    _check_runs(actor, stored)
    return _apply(accelerator, data)


@transaction.atomic
def challenge_create(*, actor: Actor, data: dict[str, Any]) -> Challenge:
    accelerator = data["accelerator"]
    if not actor.is_enterprise or accelerator.enterprise_id != actor.organization_id:
        raise PermissionDeniedError(_("Challenges go under one of your own accelerators."))
    _check_deadline(data.get("deadline"))
    return _apply(Challenge(created_by=actor.user, status=Challenge.Status.DRAFT), data)


@transaction.atomic
def challenge_update(*, actor: Actor, challenge: Challenge, data: dict[str, Any]) -> Challenge:
    enterprise_id, stored_deadline = Challenge.objects.values_list(
        "accelerator__enterprise_id", "deadline"
    ).get(pk=challenge.pk)
    _check_runs(actor, enterprise_id)
    if challenge.status == Challenge.Status.ARCHIVED:
        raise InvalidTransitionError(_("An archived challenge cannot be edited."))
    if "deadline" in data and data["deadline"] != stored_deadline:
        _check_deadline(data["deadline"])
    accelerator = data.get("accelerator")
    if accelerator is not None and accelerator.enterprise_id != actor.organization_id:
        raise PermissionDeniedError(_("Challenges go under one of your own accelerators."))
    challenge = _apply(challenge, data)
    if challenge.status == Challenge.Status.OPEN:
        _after_challenge_changed(challenge)
    return challenge


# Allowed challenge status moves: from -> the statuses it may go to.
CHALLENGE_TRANSITIONS: dict[str, set[str]] = {
    Challenge.Status.DRAFT: {Challenge.Status.OPEN, Challenge.Status.ARCHIVED},
    Challenge.Status.OPEN: {Challenge.Status.CLOSED},
    Challenge.Status.CLOSED: {Challenge.Status.OPEN, Challenge.Status.ARCHIVED},
    Challenge.Status.ARCHIVED: set(),
}


def _check_deadline(deadline) -> None:
    """A deadline is set from today on (Shanghai time): one already past would invite answers
    to a challenge that no longer waits for them. One that has passed since may stay on a
    challenge being edited for something else."""
    if deadline is not None and deadline < timezone.localdate():
        raise ValidationError(
            {"deadline": _("The deadline has passed: choose today or a later day.")}
        )


def _challenge_locked(actor: Actor, challenge: Challenge) -> Challenge:
    """The challenge's stored row, locked, once the actor is known to run its accelerator.

    Checked before any state check, so a stranger learns nothing about the challenge's status
    or its accelerator's.
    """
    locked = (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("accelerator")
        .get(pk=challenge.pk)
    )
    _check_runs(actor, locked.enterprise_id)
    return locked


def _challenge_move(actor: Actor, challenge: Challenge, target: str) -> Challenge:
    if target not in CHALLENGE_TRANSITIONS[challenge.status]:
        raise InvalidTransitionError(
            _("A challenge that is %(status)s cannot become %(target)s.")
            % {"status": challenge.get_status_display(), "target": Challenge.Status(target).label}
        )
    challenge.status = target
    now = timezone.now()
    if target == Challenge.Status.OPEN and challenge.published_at is None:
        challenge.published_at, challenge.published_by = now, actor.user
    if target == Challenge.Status.CLOSED:
        challenge.closed_at, challenge.closed_by = now, actor.user
    challenge.full_clean()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_publish(*, actor: Actor, challenge: Challenge) -> Challenge:
    challenge = _challenge_locked(actor, challenge)
    if challenge.accelerator.status != Accelerator.Status.ACTIVE:
        raise InvalidTransitionError(
            _("Challenges can be published only in an active accelerator.")
        )
    if challenge.deadline is not None and challenge.deadline < timezone.localdate():
        raise InvalidTransitionError(_("Its deadline has passed: set a new one before publishing."))
    challenge = _challenge_move(actor, challenge, Challenge.Status.OPEN)
    _after_challenge_changed(challenge)
    return challenge


@transaction.atomic
def challenge_close(*, actor: Actor, challenge: Challenge) -> Challenge:
    challenge = _challenge_move(actor, _challenge_locked(actor, challenge), Challenge.Status.CLOSED)
    _after_challenge_changed(challenge)
    return challenge


@transaction.atomic
def challenge_archive(*, actor: Actor, challenge: Challenge) -> Challenge:
    challenge = _challenge_move(
        actor, _challenge_locked(actor, challenge), Challenge.Status.ARCHIVED
    )
    _after_challenge_changed(challenge)
    return challenge


def _after_challenge_changed(challenge: Challenge) -> None:
    """Open challenges are (re)matched; closed ones leave the search spaces."""
    document_changed(
        kind=DocumentKind.CHALLENGE,
        document=challenge,
        organization_id=challenge.enterprise_id,
    )


@transaction.atomic
def cohort_create(*, actor: Actor, data: dict[str, Any]) -> Cohort:
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only platform operators curate cohorts."))
    return _apply(Cohort(), data)


@transaction.atomic
def cohort_update(*, actor: Actor, cohort: Cohort, data: dict[str, Any]) -> Cohort:
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only platform operators curate cohorts."))
    if "capacity" in data:
        # The same lock an accept takes (_check_capacity): no accept can slip in between the
        # count and the save, so capacity never drops below the accepted members.
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        taken = _accepted_count(cohort.pk)
        if data["capacity"] < taken:
            raise ApplicationError(
                _("Accepted members: %(taken)s. The capacity cannot be lower.") % {"taken": taken},
                fields={
                    "capacity": [
                        _("Must be at least %(taken)s, the number of accepted members.")
                        % {"taken": taken}
                    ]
                },
            )
    return _apply(cohort, data)


@transaction.atomic
def cohort_member_add(
    *,
    actor: Actor,
    cohort: Cohort,
    startup: Organization,
    status: str = CohortMembership.Status.SHORTLISTED,
    note: str = "",
) -> CohortMembership:
    if not actor.is_operator:
        raise PermissionDeniedError(_("Only platform operators curate cohorts."))
    if startup.kind != Organization.Kind.STARTUP:
        raise ApplicationError(
            _("Only startups join cohorts."), fields={"startup": [_("Not a startup.")]}
        )
    if status not in (CohortMembership.Status.SHORTLISTED, CohortMembership.Status.INVITED):
        raise ApplicationError(
            _("A startup enters a cohort shortlisted or invited."),
            fields={"status": [_("Must be shortlisted or invited.")]},
        )
    if CohortMembership.objects.filter(cohort=cohort, startup=startup).exists():
        raise ApplicationError(
            _("This startup is already in the cohort."),
            code="duplicate",
            fields={"startup": [_("Already in this cohort.")]},
        )
    membership = CohortMembership(cohort=cohort, startup=startup, status=status, note=note)
    if status == CohortMembership.Status.INVITED:
        membership.decided_by, membership.decided_at = actor.user, timezone.now()
    membership.full_clean()
    membership.save()
    if status == CohortMembership.Status.INVITED:
        _notify_invitation(membership)
    return membership


S = CohortMembership.Status
# Who may move a membership where: operators curate; a startup answers its own invitation.
OPERATOR_MOVES: dict[str, set[str]] = {
    S.SHORTLISTED: {S.INVITED, S.WITHDRAWN},
    S.INVITED: {S.WITHDRAWN},
    S.ACCEPTED: {S.WITHDRAWN},
    S.DECLINED: {S.INVITED},
    S.WITHDRAWN: {S.SHORTLISTED},
}
STARTUP_MOVES: dict[str, set[str]] = {S.INVITED: {S.ACCEPTED, S.DECLINED}}


@transaction.atomic
def cohort_member_update(
    *,
    actor: Actor,
    membership: CohortMembership,
    status: str | None = None,
    note: str | None = None,
) -> CohortMembership:
    membership = CohortMembership.objects.select_for_update().get(pk=membership.pk)
    if actor.is_operator:
        moves = OPERATOR_MOVES
    elif actor.is_startup and membership.startup_id == actor.organization_id:
        moves = STARTUP_MOVES
        if note is not None:
            raise PermissionDeniedError(_("Only operators write cohort notes."))
    else:
        raise PermissionDeniedError(_("You may not change this cohort membership."))
    if status is not None and status != membership.status:
        if status not in moves.get(membership.status, set()):
            raise InvalidTransitionError(
                _("A membership that is %(status)s cannot become %(target)s by you.")
                % {
                    "status": membership.get_status_display(),
                    "target": CohortMembership.Status(status).label,
                }
            )
        if status == S.ACCEPTED:
            _check_capacity(membership.cohort_id)
        membership.status = status
        membership.decided_by, membership.decided_at = actor.user, timezone.now()
    if note is not None:
        membership.note = note
    membership.full_clean()
    membership.save()
    if status == S.INVITED:
        _notify_invitation(membership)
    return membership


def _check_capacity(cohort_id: int) -> None:
    # Lock the cohort row so two simultaneous accepts cannot both take the last seat.
    cohort = Cohort.objects.select_for_update().get(pk=cohort_id)
    taken = _accepted_count(cohort_id)
    if taken >= cohort.capacity:
        raise ApplicationError(
            _("The cohort is full (%(capacity)s places).") % {"capacity": cohort.capacity},
            code="cohort_full",
            status_code=409,
        )


def _accepted_count(cohort_id: int) -> int:
    return CohortMembership.objects.filter(cohort_id=cohort_id, status=S.ACCEPTED).count()


def _notify_invitation(membership: CohortMembership) -> None:

    notify(
        event={
            "type": "cohort.invited",
            "cohort": membership.cohort_id,
            "membership": membership.pk,
            "cohort_name": membership.cohort.name,
        },
        user_ids=organization_user_ids(membership.startup_id),
    )
