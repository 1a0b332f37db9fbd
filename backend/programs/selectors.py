"""Reads of programmes, challenges and cohorts, always scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.accounts.selectors import Actor
from backend.common.errors import NotFoundError
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership

LIVE_STATUSES = (Challenge.Status.OPEN, Challenge.Status.CLOSED)


def accelerators_visible_to(actor: Actor) -> QuerySet[Accelerator]:
    """Programmes are public descriptions: every signed-in organisation may read them."""
    qs = Accelerator.objects.select_related("enterprise")
    return qs if actor.organization else qs.none()


def enterprises_visible_to(actor: Actor) -> QuerySet[Organization]:
    """Firms that run a programme the actor may read: what the accelerator list filters by."""
    return Organization.objects.filter(
        pk__in=accelerators_visible_to(actor).values("enterprise_id")
    )


def accelerators_editable_by(actor: Actor) -> QuerySet[Accelerator]:
    if not actor.is_enterprise:
        return Accelerator.objects.none()
    return Accelerator.objects.select_related("enterprise").filter(
        enterprise_id=actor.organization_id
    )


def challenges_visible_to(actor: Actor) -> QuerySet[Challenge]:
    """Drafts and archives: owner and operators. Confidential: also matched startups, unless
    the firm declined the match."""
    qs = Challenge.objects.select_related("accelerator__enterprise")
    if actor.is_operator:
        return qs
    if actor.organization is None:
        return qs.none()
    public_live = Q(status__in=LIVE_STATUSES, visibility=Challenge.Visibility.PUBLIC)
    if actor.is_enterprise:
        return qs.filter(public_live | Q(accelerator__enterprise_id=actor.organization_id))
    if actor.is_startup:
        # Through the reverse relation: the programmes app does not import the matches app.
        # A match the firm declined revokes the startup's access: the firm said no, and a
        # confidential brief is shown only to the startups it still considers. A match the
        # startup declined itself keeps the brief readable to it: it has seen the brief already
        # and said no on it, and it may want to reread what it answered. Both conditions sit in
        # one filter() call, so they hold for the same match. declined_side is blank until a
        # decline; "startup" is Match.Side.STARTUP, spelt out as this app cannot import it. Any
        # other side (the firm's, or one added later) closes the brief.
        matched = Challenge.objects.filter(
            pk=OuterRef("pk"),
            matches__startup__organization=actor.organization,
            matches__declined_side__in=("", "startup"),
        )
        return qs.filter(public_live | (Q(status__in=LIVE_STATUSES) & Exists(matched)))
    return qs.none()


def challenges_editable_by(actor: Actor) -> QuerySet[Challenge]:
    if not actor.is_enterprise:
        return Challenge.objects.none()
    return Challenge.objects.select_related("accelerator__enterprise").filter(
        accelerator__enterprise_id=actor.organization_id
    )


def challenge_get_for_actor(actor: Actor, pk: int) -> Challenge:
    challenge = challenges_visible_to(actor).filter(pk=pk).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."))
    return challenge


def cohorts_visible_to(actor: Actor) -> QuerySet[Cohort]:
    """Operators see all; a firm its own programmes' cohorts; a startup those it is invited to."""
    qs = Cohort.objects.select_related("accelerator__enterprise")
    if actor.is_operator:
        return qs
    if actor.is_enterprise:
        return qs.filter(accelerator__enterprise_id=actor.organization_id)
    if actor.is_startup:
        invited = CohortMembership.objects.filter(
            cohort_id=OuterRef("pk"), startup_id=actor.organization_id
        ).exclude(status=CohortMembership.Status.SHORTLISTED)
        return qs.filter(Exists(invited))
    return qs.none()


def cohorts_counted_visible_to(actor: Actor) -> QuerySet[Cohort]:
    """`cohorts_visible_to`, each cohort with `accepted_count` (all its accepted startups, whoever
    asks), counted in the same query."""
    accepted = Q(memberships__status=CohortMembership.Status.ACCEPTED)
    counted = cohorts_visible_to(actor).annotate(
        accepted_count=Count("memberships", filter=accepted)
    )
    # A grouped query drops the model's default ordering; the list keeps it.
    return counted.order_by(*(Cohort._meta.ordering or ()))


def cohort_memberships_visible_to(actor: Actor, cohort: Cohort) -> QuerySet[CohortMembership]:
    qs = CohortMembership.objects.select_related("startup", "cohort", "decided_by").filter(
        cohort=cohort
    )
    if actor.is_operator or (
        actor.is_enterprise and cohort.accelerator.enterprise_id == actor.organization_id
    ):
        return qs
    if actor.is_startup:
        # A shortlist is the operators' private working list.
        return qs.filter(startup_id=actor.organization_id).exclude(
            status=CohortMembership.Status.SHORTLISTED
        )
    return qs.none()
