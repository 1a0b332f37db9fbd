from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.common.fields import StatementListValidator, validate_statements, validate_tags
from backend.common.models import MatchingState, acting_user_field

validate_languages = StatementListValidator(max_items=10, max_length=20)

# The nine technology readiness levels, as a firm reads a startup's.
TRL_LABELS = {
    1: _("Basic principles observed"),
    2: _("Technology concept formulated"),
    3: _("Experimental proof of concept"),
    4: _("Technology validated in the lab"),
    5: _("Technology validated in a relevant environment"),
    6: _("Technology demonstrated in a relevant environment"),
    7: _("System prototype demonstrated in operation"),
    8: _("System complete and qualified"),
    9: _("Actual system proven in operation"),
}


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
        verbose_name=_("organization"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    pitch = models.CharField(_("one-line pitch"), max_length=300, blank=True)
    # Far above any real profile, and a bound on what one save may cost to embed.
    summary = models.TextField(max_length=8_000, blank=True, verbose_name=_("summary"))
    capabilities = models.JSONField(
        default=list, blank=True, validators=[validate_statements], verbose_name=_("capabilities")
    )
    technology_tags = models.JSONField(
        default=list, blank=True, validators=[validate_tags], verbose_name=_("technology tags")
    )
    industries = models.JSONField(
        default=list, blank=True, validators=[validate_tags], verbose_name=_("industries")
    )
    stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.SEED, verbose_name=_("stage")
    )
    team_size = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(1_000_000)],
        verbose_name=_("team size"),
    )
    founded_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        verbose_name=_("founded year"),
    )
    city = models.CharField(max_length=100, blank=True, verbose_name=_("city"))
    region = models.CharField(max_length=100, blank=True, db_index=True, verbose_name=_("region"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    trl = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        verbose_name=_("trl"),
    )
    languages = models.JSONField(
        default=list, blank=True, validators=[validate_languages], verbose_name=_("languages")
    )
    published = models.BooleanField(default=False, db_index=True, verbose_name=_("published"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("startup profile")
        verbose_name_plural = _("startup profiles")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    """A rung of the growth ladder a startup has reached, by its certificate; an operator checks
    it against the issuing registry and marks it verified."""

    class Kind(models.TextChoices):
        TECH_SME = "tech_sme", _("Tech-based SME")
        HIGH_TECH = "high_tech", _("High-tech enterprise")
        SPECIALISED_SME = "specialised_sme", _("Specialised and innovative SME")
        LITTLE_GIANT = "little_giant", _("Science and technology little giant")
        SPECIALISED_LITTLE_GIANT = (
            "specialised_little_giant",
            _("Specialised and innovative 'little giant'"),
        )

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="credentials",
        limit_choices_to={"kind": Organization.Kind.STARTUP},
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = acting_user_field(_("verified by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        ordering = ["issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate_number}"

    def clean(self) -> None:
        if self.expires_on and self.issued_on and self.expires_on < self.issued_on:
            raise ValidationError(
                {"expires_on": _("A certificate cannot expire before it was issued.")}
            )

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())
