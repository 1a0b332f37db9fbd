from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.common.fields import StatementListValidator, validate_statements, validate_tags
from backend.common.models import MatchingState

validate_languages = StatementListValidator(max_items=10, max_length=20)


class StartupProfile(MatchingState):
    """What a startup can do, as firms will read it."""

    class Stage(models.TextChoices):
        IDEA = "idea", _("Idea")
        PRE_SEED = "pre-seed", _("Pre-seed")
        SEED = "seed", _("Seed")
        SERIES_A = "series-a", _("Series A")
        SERIES_B_PLUS = "series-b-plus", _("Series B+")
        GROWTH = "growth", _("Growth")

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="startup_profile",
        limit_choices_to={"kind": Organization.Kind.STARTUP},
    )
    name = models.CharField(max_length=200)
    pitch = models.CharField(_("one-line pitch"), max_length=300, blank=True)
    # Far above any real profile, and a bound on what one save may cost to embed.
    summary = models.TextField(max_length=8_000, blank=True)
    capabilities = models.JSONField(default=list, blank=True, validators=[validate_statements])
    technology_tags = models.JSONField(default=list, blank=True, validators=[validate_tags])
    industries = models.JSONField(default=list, blank=True, validators=[validate_tags])
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SEED)
    team_size = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True, db_index=True)
    website = models.URLField(blank=True)
    trl = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    published = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
