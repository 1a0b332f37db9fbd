from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.models import DocumentKind, acting_user_field
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile


class Match(models.Model):
    """A proposed pairing of a challenge and a startup, with why, and what each side said."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ENTERPRISE_INTERESTED = "enterprise_interested", _("Firm interested")
        STARTUP_INTERESTED = "startup_interested", _("Startup interested")
        CONNECTED = "connected", _("Connected")
        DECLINED = "declined", _("Declined")

    class Side(models.TextChoices):
        ENTERPRISE = "enterprise", _("Firm")
        STARTUP = "startup", _("Startup")

    class Origin(models.TextChoices):
        PROPOSED = "proposed", _("Proposed by the engine")
        APPLIED = "applied", _("Applied by the startup")

    class ReasonCode(models.TextChoices):
        """Why a firm said no, in words a startup can act on."""

        NOT_A_FIT = "not_a_fit", _("Not a fit for the need")
        TRL_TOO_EARLY = "trl_too_early", _("Technology too early (TRL)")
        BUDGET_OR_SCALE = "budget_or_scale", _("Budget or scale")
        EXISTING_SUPPLIER = "existing_supplier", _("Already working with a supplier")
        TIMING = "timing", _("Timing")
        OTHER = "other", _("Other")

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="matches", verbose_name=_("challenge")
    )
    startup = models.ForeignKey(
        StartupProfile, on_delete=models.CASCADE, related_name="matches", verbose_name=_("startup")
    )
    origin = models.CharField(
        max_length=10,
        choices=Origin.choices,
        default=Origin.PROPOSED,
        db_index=True,
        verbose_name=_("origin"),
    )
    # What an applying startup says to the firm.
    pitch = models.TextField(max_length=2_000, blank=True, verbose_name=_("pitch"))
    # Blank on an application until the indexer has ranked it, as it ranks a proposal.
    score = models.FloatField(null=True, blank=True, verbose_name=_("score"))
    rank = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("rank"))
    # How many startups the challenge was ranked against: "#3 of 260" reads where a score cannot.
    ranked_among = models.PositiveIntegerField(default=0, verbose_name=_("ranked among"))
    components = models.JSONField(default=dict, blank=True, verbose_name=_("components"))
    evidence = models.JSONField(default=dict, blank=True, verbose_name=_("evidence"))
    status = models.CharField(
        max_length=30,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
        verbose_name=_("status"),
    )
    enterprise_interested_by = acting_user_field(_("enterprise interested by"))
    enterprise_interested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("enterprise interested at")
    )
    startup_interested_by = acting_user_field(_("startup interested by"))
    startup_interested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("startup interested at")
    )
    declined_side = models.CharField(
        max_length=20, choices=Side.choices, blank=True, verbose_name=_("declined side")
    )
    declined_by = acting_user_field(_("declined by"))
    declined_at = models.DateTimeField(null=True, blank=True, verbose_name=_("declined at"))
    reason_code = models.CharField(
        max_length=20, choices=ReasonCode.choices, blank=True, verbose_name=_("reason code")
    )
    # Shown to the other side, as the decline form says.
    feedback = models.TextField(max_length=1_000, blank=True, verbose_name=_("feedback"))
    # Only the declining side's organisation reads this.
    decline_note = models.TextField(
        max_length=1_000, blank=True, verbose_name=_("internal decline note")
    )
    viewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("viewed at"))
    shortlisted_by = acting_user_field(_("shortlisted by"))
    shortlisted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shortlisted at"))
    # When the firm was last reminded that the startup waits past the challenge's promise.
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))
    connected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("connected at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "startup"], name="unique_match_pair")
        ]
        ordering = [models.F("score").desc(nulls_last=True), "id"]

    def __str__(self) -> str:
        return f"{self.challenge} <-> {self.startup} ({self.status})"


class ApplicationAttachment(models.Model):
    """A PDF an applying startup sends with its pitch; served only to the parties' members and
    operators (never from a public media address)."""

    MAX_BYTES = 10 * 1024 * 1024
    MAX_PER_MATCH = 5

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("match")
    )
    file = models.FileField(upload_to="applications/%Y/%m/", verbose_name=_("file"))
    name = models.CharField(max_length=200, verbose_name=_("file name"))
    size = models.PositiveIntegerField(verbose_name=_("size in bytes"))
    uploaded_by = acting_user_field(_("uploaded by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("application attachment")
        verbose_name_plural = _("application attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


# The two sides of the market, each with its own search space.
Side = DocumentKind


class ChunkVector(models.Model):
    """One chunk of a challenge or profile and its embedding: the source of truth for the index.

    The FAISS index in each process is a cache rebuilt from these rows.
    """

    side = models.CharField(max_length=20, choices=Side.choices)
    owner_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=20)
    ordinal = models.PositiveIntegerField()
    text = models.TextField()
    content_hash = models.CharField(max_length=64, db_index=True)
    model_id = models.CharField(max_length=200)
    dimension = models.PositiveSmallIntegerField()
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["side", "owner_id", "model_id", "field", "ordinal"],
                name="unique_chunk_position",
            )
        ]
        indexes = [models.Index(fields=["side", "owner_id"], name="chunk_owner_idx")]
        ordering = ["side", "owner_id", "field", "ordinal"]

    def __str__(self) -> str:
        return f"{self.side} {self.owner_id} {self.field}#{self.ordinal}"


class IndexChange(models.Model):
    """Append-only log of index writes. Each process applies the entries after the last it saw,
    so every process answers with new vectors without a restart or a full rebuild."""

    side = models.CharField(max_length=20, choices=Side.choices)
    owner_id = models.PositiveBigIntegerField()
    # Whose re-embedding budget the write used (none for a rebuild).
    organization_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.side} {self.owner_id}"


class SentenceVector(models.Model):
    """An evidence sentence's embedding, so evidence after a restart costs no encoding."""

    model_id = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model_id", "content_hash"], name="unique_sentence_vector"
            )
        ]

    def __str__(self) -> str:
        return self.content_hash
