from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.common.fields import validate_statements, validate_tags
from backend.common.models import MatchingState, acting_user_field

TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]


class Accelerator(models.Model):
    """A firm's open-innovation programme around its industry chain."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    enterprise = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="accelerators",
        limit_choices_to={"kind": Organization.Kind.ENTERPRISE},
        verbose_name=_("enterprise"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    industry_focus = models.CharField(_("industry-chain focus"), max_length=200, blank=True)
    description = models.TextField(max_length=10_000, blank=True, verbose_name=_("description"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("accelerator")
        verbose_name_plural = _("accelerators")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Challenge(MatchingState):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        CONFIDENTIAL = "confidential", _("Confidential")

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH = "zh", _("Chinese")

    accelerator = models.ForeignKey(
        Accelerator,
        on_delete=models.CASCADE,
        related_name="challenges",
        verbose_name=_("accelerator"),
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    problem_statement = models.TextField(max_length=20_000, verbose_name=_("problem statement"))
    desired_outcomes = models.TextField(
        max_length=10_000, blank=True, verbose_name=_("desired outcomes")
    )
    required_capabilities = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_statements],
        verbose_name=_("required capabilities"),
    )
    industry_tags = models.JSONField(
        default=list, blank=True, validators=[validate_tags], verbose_name=_("industry tags")
    )
    trl_min = models.PositiveSmallIntegerField(
        default=1, validators=TRL_VALIDATORS, verbose_name=_("trl min")
    )
    trl_max = models.PositiveSmallIntegerField(
        default=9, validators=TRL_VALIDATORS, verbose_name=_("trl max")
    )
    budget_min = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("budget min")
    )
    budget_max = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("budget max")
    )
    budget_currency = models.CharField(
        max_length=3, blank=True, default="CNY", verbose_name=_("budget currency")
    )
    deadline = models.DateField(null=True, blank=True, verbose_name=_("deadline"))
    # The firm's promise to startups: an answer within this many working days.
    response_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        verbose_name=_("response time (working days)"),
    )
    language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.EN, verbose_name=_("language")
    )
    visibility = models.CharField(
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        db_index=True,
        verbose_name=_("visibility"),
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        verbose_name=_("status"),
    )
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    # Who first published it (with published_at) and who last closed it (with closed_at).
    published_by = acting_user_field(_("published by"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    closed_by = acting_user_field(_("closed by"))
    created_by = acting_user_field(_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    # What a firm writes; the status and dates move only through the services.
    EDITABLE_FIELDS = (
        "accelerator",
        "title",
        "problem_statement",
        "desired_outcomes",
        "required_capabilities",
        "industry_tags",
        "trl_min",
        "trl_max",
        "budget_min",
        "budget_max",
        "budget_currency",
        "deadline",
        "response_days",
        "language",
        "visibility",
    )

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-published_at", "-created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def enterprise_id(self) -> int:
        return self.accelerator.enterprise_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.trl_min and self.trl_max and self.trl_min > self.trl_max:
            errors["trl_max"] = _("The highest TRL must not be below the lowest.")
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            errors["budget_max"] = _("The budget's upper bound must not be below its lower bound.")
        for field in ("budget_min", "budget_max"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("A budget cannot be negative.")
        if errors:
            raise ValidationError(errors)


class Cohort(models.Model):
    """One intake of an accelerator, curated by operators."""

    accelerator = models.ForeignKey(
        Accelerator, on_delete=models.CASCADE, related_name="cohorts", verbose_name=_("accelerator")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    intake_start = models.DateField(null=True, blank=True, verbose_name=_("intake start"))
    intake_end = models.DateField(null=True, blank=True, verbose_name=_("intake end"))
    capacity = models.PositiveIntegerField(
        default=10, validators=[MaxValueValidator(10_000)], verbose_name=_("capacity")
    )
    # What an invited startup reads before it answers: what a place gives, and by when to answer.
    benefits = models.TextField(max_length=2_000, blank=True, verbose_name=_("benefits"))
    reply_by = models.DateField(null=True, blank=True, verbose_name=_("reply by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.accelerator}: {self.name}"

    def clean(self) -> None:
        if self.intake_start and self.intake_end and self.intake_start > self.intake_end:
            raise ValidationError({"intake_end": _("The intake cannot end before it starts.")})
        if self.reply_by and self.intake_start and self.reply_by > self.intake_start:
            raise ValidationError(
                {"reply_by": _("Invitations need an answer before the intake starts.")}
            )


class CohortMembership(models.Model):
    class Status(models.TextChoices):
        SHORTLISTED = "shortlisted", _("Shortlisted")
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cohort")
    )
    startup = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="cohort_memberships",
        limit_choices_to={"kind": Organization.Kind.STARTUP},
        verbose_name=_("startup"),
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.SHORTLISTED,
        db_index=True,
        verbose_name=_("status"),
    )
    note = models.TextField(max_length=2_000, blank=True, verbose_name=_("note"))
    decided_by = acting_user_field(_("decided by"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    # The operators' own: their working note and which of them decided. Every answer, page
    # and export leaves them out for anyone else.
    OPERATOR_ONLY_FIELDS = ("note", "decided_by")

    class Meta:
        verbose_name = _("cohort place")
        verbose_name_plural = _("cohort places")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "startup"], name="unique_cohort_startup")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.startup} in {self.cohort}: {self.status}"
