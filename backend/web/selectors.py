"""Page-shaped reads: counts, funnels and feeds, each built on the apps' scoped selectors.

Nothing here decides who may see what: every query starts from a selector that already did.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import Actor
from backend.chat.models import Participant
from backend.common.errors import NotFoundError
from backend.matches.models import Match
from backend.matches.selectors import as_seen_by, matches_visible_to
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership
from backend.programs.selectors import (
    accelerators_editable_by,
    accelerators_visible_to,
    challenges_editable_by,
    challenges_visible_to,
    cohort_memberships_visible_to,
    cohorts_visible_to,
)

INTERESTED = Q(enterprise_interested_at__isnull=False) | Q(startup_interested_at__isnull=False)


def with_match_counts(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return challenges.annotate(
        match_count=Count("matches", distinct=True),
        interested_count=Count(
            "matches",
            filter=Q(matches__enterprise_interested_at__isnull=False)
            | Q(matches__startup_interested_at__isnull=False),
        ),
        connected_count=Count("matches", filter=Q(matches__status=Match.Status.CONNECTED)),
    )


def challenge_for_review(actor: Actor, pk: int) -> Challenge:
    """A challenge whose proposed startups the actor reviews: its own firm's, or any (operator)."""
    qs = challenges_visible_to(actor) if actor.is_operator else challenges_editable_by(actor)
    challenge = qs.filter(pk=pk).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."))
    return challenge


def accelerator_for_editing(actor: Actor, pk: int) -> Accelerator:
    accelerator = accelerators_editable_by(actor).filter(pk=pk).first()
    if accelerator is None:
        raise NotFoundError(_("Accelerator not found."))
    return accelerator


def challenge_for_editing(actor: Actor, pk: int) -> Challenge:
    challenge = challenges_editable_by(actor).filter(pk=pk).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."))
    return challenge


@dataclass
class ProgrammeRow:
    accelerator: Accelerator
    challenges: list[Challenge]


def firm_programmes(actor: Actor) -> list[ProgrammeRow]:
    """The firm's accelerators, each with its challenges and their match counts."""
    challenges = with_match_counts(challenges_editable_by(actor)).order_by(
        "accelerator_id", "status", "-created_at"
    )
    by_accelerator: dict[int, list[Challenge]] = {}
    for challenge in challenges:
        by_accelerator.setdefault(challenge.accelerator_id, []).append(challenge)
    return [
        ProgrammeRow(accelerator, by_accelerator.get(accelerator.pk, []))
        for accelerator in accelerators_editable_by(actor).order_by("created_at", "id")
    ]


def recent_activity(actor: Actor, limit: int = 8) -> list[Match]:
    """The matches that changed last, as the actor may see them (`startup_view`: the startup)."""
    return as_seen_by(actor, matches_visible_to(actor).order_by("-updated_at", "-id")[:limit])


@dataclass
class Funnel:
    accelerator: Accelerator
    challenges: int
    open_challenges: int
    proposed: int
    interested: int
    connected: int
    cohort: int
    cohorts: list[Cohort]

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("proposed", self.proposed),
            ("interested", self.interested),
            ("connected", self.connected),
            ("cohort", self.cohort),
        ]


def funnels(actor: Actor) -> list[Funnel]:
    """Per accelerator: proposed -> interested (either side) -> connected -> accepted into a
    cohort."""
    match_counts = {
        row["challenge__accelerator"]: (row["proposed"], row["interested"], row["connected"])
        for row in matches_visible_to(actor)
        .values("challenge__accelerator")
        .annotate(
            proposed=Count("id"),
            interested=Count("id", filter=INTERESTED),
            connected=Count("id", filter=Q(status=Match.Status.CONNECTED)),
        )
    }
    challenge_counts = {
        row["accelerator"]: (row["total"], row["open"])
        for row in challenges_visible_to(actor)
        .values("accelerator")
        .annotate(total=Count("id"), open=Count("id", filter=Q(status=Challenge.Status.OPEN)))
    }
    cohorts = list(cohorts_visible_to(actor).order_by("-created_at", "id"))
    accepted = {
        row["cohort__accelerator"]: row["n"]
        for row in CohortMembership.objects.filter(
            cohort__in=cohorts, status=CohortMembership.Status.ACCEPTED
        )
        .values("cohort__accelerator")
        .annotate(n=Count("startup", distinct=True))
    }
    rows = []
    for accelerator in accelerators_visible_to(actor).order_by("name", "id"):
        proposed, interested, connected = match_counts.get(accelerator.pk, (0, 0, 0))
        challenges, open_challenges = challenge_counts.get(accelerator.pk, (0, 0))
        rows.append(
            Funnel(
                accelerator=accelerator,
                challenges=challenges,
                open_challenges=open_challenges,
                proposed=proposed,
                interested=interested,
                connected=connected,
                cohort=accepted.get(accelerator.pk, 0),
                cohorts=[c for c in cohorts if c.accelerator_id == accelerator.pk],
            )
        )
    return rows


def cohort_for_actor(actor: Actor, pk: int) -> Cohort:
    cohort = cohorts_visible_to(actor).filter(pk=pk).first()
    if cohort is None:
        raise NotFoundError(_("Cohort not found."))
    return cohort


@dataclass
class Candidate:
    """A startup proposed for one of the accelerator's challenges, at its best match."""

    organization_id: int
    profile_id: int
    name: str
    best_rank: int
    matches: int
    interested: bool


def cohort_candidates(actor: Actor, cohort: Cohort, limit: int = 30) -> list[Candidate]:
    """Startups matched with the accelerator's challenges and not yet in this cohort."""
    taken = CohortMembership.objects.filter(cohort=cohort).values("startup_id")
    rows = (
        matches_visible_to(actor)
        .filter(challenge__accelerator_id=cohort.accelerator_id)
        .exclude(startup__organization_id__in=taken)
        .exclude(status=Match.Status.DECLINED)
        .values("startup__organization_id", "startup_id", "startup__name")
        .annotate(
            best=Min("rank"),
            n=Count("id"),
            interested=Count("id", filter=INTERESTED),
        )
        .order_by("-interested", "best")[:limit]
    )
    return [
        Candidate(
            organization_id=row["startup__organization_id"],
            profile_id=row["startup_id"],
            name=row["startup__name"],
            best_rank=row["best"],
            matches=row["n"],
            interested=row["interested"] > 0,
        )
        for row in rows
    ]


def cohort_columns(actor: Actor, cohort: Cohort) -> dict[str, list[CohortMembership]]:
    columns: dict[str, list[CohortMembership]] = {
        CohortMembership.Status.SHORTLISTED: [],
        CohortMembership.Status.INVITED: [],
        CohortMembership.Status.ACCEPTED: [],
        CohortMembership.Status.DECLINED: [],
    }
    for membership in cohort_memberships_visible_to(actor, cohort).select_related(
        "startup__startup_profile"
    ):
        if membership.status in columns:
            columns[membership.status].append(membership)
    return columns


def invitations_for(actor: Actor) -> QuerySet[CohortMembership]:
    """The startup's cohort places: invitations to answer and the answers it gave, newest
    cohort first, each with `places_taken` (accepted members), so that a full cohort offers
    no Accept. (A shortlist is the operators' private working list; a withdrawn place is
    gone.)"""
    return (
        CohortMembership.objects.filter(
            startup_id=actor.organization_id, cohort__in=cohorts_visible_to(actor)
        )
        .exclude(
            status__in=[CohortMembership.Status.SHORTLISTED, CohortMembership.Status.WITHDRAWN]
        )
        .annotate(
            places_taken=Count(
                "cohort__memberships",
                filter=Q(cohort__memberships__status=CohortMembership.Status.ACCEPTED),
            )
        )
        .select_related("startup", "decided_by", "cohort__accelerator__enterprise")
        .order_by("-cohort__created_at", "cohort_id")
    )


def invitation_for_actor(actor: Actor, pk: int) -> CohortMembership:
    membership = invitations_for(actor).filter(pk=pk).first()
    if membership is None:
        raise NotFoundError(_("Invitation not found."))
    return membership


def others_read_seq(conversation, user) -> int:
    """How far the other participants have read a conversation (the furthest of them)."""

    return (
        Participant.objects.filter(conversation=conversation)
        .exclude(user=user)
        .aggregate(seq=Max("last_read_seq"))["seq"]
        or 0
    )
