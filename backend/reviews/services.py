"""Every write of a firm's team review. Each one checks that its actor is a member of the firm
that owns the challenge: operators read reviews but never write them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import Actor
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.matches.models import Match
from backend.notifications.services import notify
from backend.programs.models import Challenge
from backend.reviews.models import (
    CRITERIA_MAX,
    CRITERIA_MIN,
    SCORE_MAX,
    SCORE_MIN,
    Criterion,
    InternalNote,
    Review,
    ReviewerAssignment,
    ReviewScore,
    Rubric,
)
from backend.reviews.selectors import is_firm_member, rubric_locked


def _check_firm(actor: Actor, enterprise_id: int) -> None:
    if not actor.is_enterprise or actor.organization_id != enterprise_id:
        raise PermissionDeniedError(_("Only the firm's own members review its matches."))


@transaction.atomic
def rubric_set(
    *, actor: Actor, challenge: Challenge, criteria: Sequence[Mapping[str, Any]]
) -> Rubric:
    """Replace the challenge's rubric with `criteria` (name, description, weight), in order.

    Allowed only until the first review: a changed criterion or weight would silently change
    what the scores already given mean."""
    _check_firm(actor, challenge.accelerator.enterprise_id)
    if not CRITERIA_MIN <= len(criteria) <= CRITERIA_MAX:
        bounds = {"low": CRITERIA_MIN, "high": CRITERIA_MAX}
        raise ApplicationError(
            _("A rubric has %(low)s to %(high)s criteria.") % bounds,
            fields={"criteria": [_("Give %(low)s to %(high)s criteria.") % bounds]},
        )
    names = [item["name"].strip().casefold() for item in criteria]
    if len(set(names)) != len(names):
        raise ApplicationError(
            _("Each criterion needs its own name."),
            fields={"criteria": [_("Two criteria have the same name.")]},
        )
    rubric, _created = Rubric.objects.select_for_update().get_or_create(challenge=challenge)
    if rubric_locked(challenge):
        raise InvalidTransitionError(_("Scores exist: the rubric can no longer change."))
    rubric.criteria.all().delete()
    rows = [
        Criterion(
            rubric=rubric,
            name=item["name"].strip(),
            description=item.get("description", "").strip(),
            weight=item["weight"],
            position=position,
        )
        for position, item in enumerate(criteria)
    ]
    for row in rows:
        row.full_clean()
    Criterion.objects.bulk_create(rows)
    rubric.updated_by = actor.user
    rubric.save()
    return rubric


@transaction.atomic
def review_submit(*, actor: Actor, match: Match, scores: Mapping[int, int]) -> Review:
    """Create or replace the actor's own review: a score from 1 to 5 for every criterion."""
    _check_firm(actor, match.challenge.accelerator.enterprise_id)
    rubric = Rubric.objects.select_for_update().filter(challenge_id=match.challenge_id).first()
    if rubric is None:
        raise InvalidTransitionError(_("This challenge has no rubric to score against."))
    criteria = {c.pk: c for c in rubric.criteria.all()}
    if set(scores) != set(criteria):
        raise ApplicationError(
            _("Score every criterion of the rubric, and only those."),
            fields={"scores": [_("Give one score for each criterion of the rubric.")]},
        )
    if any(not SCORE_MIN <= score <= SCORE_MAX for score in scores.values()):
        bounds = {"low": SCORE_MIN, "high": SCORE_MAX}
        raise ApplicationError(
            _("Scores run from %(low)s to %(high)s.") % bounds,
            fields={
                "scores": [_("Each score is a whole number from %(low)s to %(high)s.") % bounds]
            },
        )
    review, _created = Review.objects.get_or_create(match=match, reviewer=actor.user)
    review.scores.all().delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion=criteria[pk], score=score)
        for pk, score in scores.items()
    )
    review.save(update_fields=["updated_at"])
    return review


@transaction.atomic
def reviewer_assign(*, actor: Actor, match: Match, reviewer: User) -> ReviewerAssignment:
    """Ask a member of one's own firm to review a match, and tell them (live and in their
    notifications); asking again changes nothing."""
    _check_firm(actor, match.challenge.accelerator.enterprise_id)
    if not is_firm_member(reviewer, match):
        raise ApplicationError(
            _("Only a member of your firm can review its matches."),
            fields={"user": [_("Not a member of your firm.")]},
        )
    assignment, created = ReviewerAssignment.objects.get_or_create(
        match=match, reviewer=reviewer, defaults={"assigned_by": actor.user}
    )
    if created and reviewer != actor.user:
        # No startup name: the event outlives the profile, which its startup may withdraw.
        event = {
            "type": "review.assigned",
            "by": actor.user.pk,
            "match": match.pk,
            "challenge": match.challenge_id,
            "challenge_title": match.challenge.title,
        }
        notify(event=event, user_ids=[reviewer.pk])
    return assignment


@transaction.atomic
def reviewer_unassign(*, actor: Actor, match: Match, reviewer: User) -> None:
    """No longer ask a member to review a match; harmless when they were not asked."""
    _check_firm(actor, match.challenge.accelerator.enterprise_id)
    ReviewerAssignment.objects.filter(match=match, reviewer=reviewer).delete()


@transaction.atomic
def note_add(*, actor: Actor, match: Match, text: str) -> InternalNote:
    _check_firm(actor, match.challenge.accelerator.enterprise_id)
    note = InternalNote(match=match, author=actor.user, text=text.strip())
    note.full_clean()
    note.save()
    return note
