"""Reads of a firm's team review. Only the firm that owns the challenge (and operators, to read)
ever reaches these: everyone else is told the object does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import Actor
from backend.common.errors import NotFoundError
from backend.matches.models import Match
from backend.matches.selectors import matches_visible_to
from backend.programs.models import Challenge
from backend.programs.selectors import challenges_editable_by, challenges_visible_to
from backend.reviews.models import (
    Criterion,
    InternalNote,
    Review,
    ReviewerAssignment,
    ReviewScore,
    Rubric,
)


def _reads_reviews(actor: Actor) -> bool:
    return actor.is_enterprise or actor.is_operator


def challenge_get_for_rubric(actor: Actor, pk: int) -> Challenge:
    """A challenge whose rubric the actor may read: its own firm's, or any (operators)."""
    qs = challenges_visible_to(actor) if actor.is_operator else challenges_editable_by(actor)
    challenge = qs.filter(pk=pk).first()
    if challenge is None:
        raise NotFoundError(_("Challenge not found."))
    return challenge


def match_get_for_review(actor: Actor, pk: int) -> Match:
    """A match whose team review the actor may read. A startup sees its own matches, but never
    the firm's review of them: to it the review does not exist."""
    match = matches_visible_to(actor).filter(pk=pk).first() if _reads_reviews(actor) else None
    if match is None:
        raise NotFoundError(_("Match not found."))
    return match


def rubric_of(challenge: Challenge) -> Rubric | None:
    return Rubric.objects.prefetch_related("criteria").filter(challenge=challenge).first()


def rubric_locked(challenge: Challenge) -> bool:
    """Once anyone has scored against it, a rubric stays as it was scored."""
    return Review.objects.filter(match__challenge=challenge).exists()


def firm_members(match: Match) -> QuerySet[User]:
    """Who may review a match: the active members of the firm that owns its challenge."""
    return User.objects.filter(
        memberships__organization_id=match.challenge.accelerator.enterprise_id, is_active=True
    ).order_by("full_name", "email")


def is_firm_member(user: User, match: Match) -> bool:
    return firm_members(match).filter(pk=user.pk).exists()


def weighted_mean(review: Review) -> Decimal:
    """sum(weight x score) / sum(weight), to two places."""
    scores = list(review.scores.all())
    total = sum(s.criterion.weight * s.score for s in scores)
    weights = sum(s.criterion.weight for s in scores)
    return (Decimal(total) / Decimal(weights)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Aggregate:
    """The reviewers' weighted means: their mean, and their spread as lowest and highest."""

    count: int
    mean: Decimal | None = None
    lowest: Decimal | None = None
    highest: Decimal | None = None


def aggregate_of(means: list[Decimal], *, blind: bool) -> Aggregate:
    if blind or not means:
        return Aggregate(count=len(means))
    mean = (sum(means, Decimal(0)) / len(means)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return Aggregate(count=len(means), mean=mean, lowest=min(means), highest=max(means))


@dataclass
class TeamReview:
    """What the actor may see of a match's team review.

    `blind`: the actor has not scored yet, so the others' scores and the aggregate (beyond how
    many have scored) are held back: each member scores on their own, unanchored.
    """

    match: Match
    criteria: list[Criterion]
    mine: Review | None
    reviews: list[Review]
    aggregate: Aggregate
    blind: bool
    reviewers: list[ReviewerAssignment] = field(default_factory=list)
    notes: list[InternalNote] = field(default_factory=list)


def _scored_reviews(reviews: QuerySet[Review]) -> list[Review]:
    """The reviews with their scores loaded and `weighted_mean` set on each."""
    rows = list(
        reviews.select_related("reviewer").prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
        )
    )
    for review in rows:
        review.weighted_mean = weighted_mean(review)
    return rows


def _blind(actor: Actor, reviews: list[Review]) -> bool:
    return not actor.is_operator and all(r.reviewer_id != actor.user.pk for r in reviews)


def team_review(actor: Actor, match: Match) -> TeamReview:
    rubric = rubric_of(match.challenge)
    criteria = list(rubric.criteria.all()) if rubric else []
    all_reviews = _scored_reviews(Review.objects.filter(match=match))
    mine = next((r for r in all_reviews if r.reviewer_id == actor.user.pk), None)
    blind = _blind(actor, all_reviews)
    return TeamReview(
        match=match,
        criteria=criteria,
        mine=mine,
        reviews=[] if blind else all_reviews,
        aggregate=aggregate_of([r.weighted_mean for r in all_reviews], blind=blind),
        blind=blind,
        reviewers=list(ReviewerAssignment.objects.filter(match=match).select_related("reviewer")),
        notes=notes_of(match),
    )


@dataclass(frozen=True)
class MatchScore:
    """One match's team score in a challenge's list, as `team_review` would show it."""

    match_id: int
    aggregate: Aggregate
    blind: bool


def team_scores(actor: Actor, challenge: Challenge) -> list[MatchScore]:
    """The team score of each of the challenge's matches that anyone has scored, in one read
    (a firm's match list cannot carry them: reviews sit above matches)."""
    by_match: dict[int, list[Review]] = {}
    for review in _scored_reviews(Review.objects.filter(match__challenge=challenge)):
        by_match.setdefault(review.match_id, []).append(review)
    scores = []
    for match_id, reviews in sorted(by_match.items()):
        blind = _blind(actor, reviews)
        means = [r.weighted_mean for r in reviews]
        scores.append(MatchScore(match_id, aggregate_of(means, blind=blind), blind))
    return scores


def notes_of(match: Match) -> list[InternalNote]:
    return list(InternalNote.objects.filter(match=match).select_related("author"))


def firm_member_get(match: Match, pk: int) -> User:
    user = firm_members(match).filter(pk=pk).first()
    if user is None:
        raise NotFoundError(_("Member not found."))
    return user
