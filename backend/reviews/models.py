"""A firm's own review of its matches: a rubric per challenge, each member's scores, the
reviewers it assigns and its internal notes. None of it is ever shown to the startup."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.models import acting_user_field
from backend.matches.models import Match
from backend.programs.models import Challenge

CRITERIA_MIN, CRITERIA_MAX = 2, 6
SCORE_MIN, SCORE_MAX = 1, 5
WEIGHT_MIN, WEIGHT_MAX = 1, 10
NOTE_MAX_LENGTH = 2_000


class Rubric(models.Model):
    """How a firm scores the startups proposed for one challenge (optional, one at most)."""

    challenge = models.OneToOneField(
        Challenge, on_delete=models.CASCADE, related_name="rubric", verbose_name=_("challenge")
    )
    updated_by = acting_user_field(_("updated by"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return f"Rubric of {self.challenge}"


class Criterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric")
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    description = models.CharField(max_length=500, blank=True, verbose_name=_("description"))
    weight = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(WEIGHT_MIN), MaxValueValidator(WEIGHT_MAX)],
        verbose_name=_("weight"),
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "position"], name="unique_criterion_position")
        ]

    def __str__(self) -> str:
        return f"{self.name} (x{self.weight})"


class Review(models.Model):
    """One member's scores for one match; they edit it, nobody else does."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("match")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    weighted_mean: Decimal  # set by the selectors that read reviews with their scores; not stored

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["match", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "reviewer"], name="unique_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on match {self.match_id}"


class ReviewScore(models.Model):
    """A score per criterion, as a row: the database keeps it tied to a criterion that exists."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        verbose_name=_("score"),
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="unique_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="score_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"


class ReviewerAssignment(models.Model):
    """A member of the firm asked to review a match."""

    match = models.ForeignKey(
        Match,
        on_delete=models.CASCADE,
        related_name="reviewer_assignments",
        verbose_name=_("match"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_by = acting_user_field(_("assigned by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        ordering = ["match", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "reviewer"], name="unique_reviewer_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews match {self.match_id}"


class InternalNote(models.Model):
    """A note the firm's members leave on a match for each other."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="internal_notes", verbose_name=_("match")
    )
    author = acting_user_field(_("author"))
    # A TextField's max_length binds forms only; the validator binds every save.
    text = models.TextField(
        max_length=NOTE_MAX_LENGTH,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        verbose_name=_("text"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["match", "created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on match {self.match_id}"
