"""What follows a connected match: a pilot that answers one question by a set date, the updates
both sides post on it, the firm's decision, and the outcomes (orders, contracts, investment,
patents) that either side records and the other confirms."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.models import acting_user_field
from backend.matches.models import Match

QUESTION_MAX_LENGTH = 1_000
CRITERIA_MIN, CRITERIA_MAX = 1, 3
CRITERION_MAX_LENGTH = 300
TEXT_MAX_LENGTH = 2_000
# A running pilot without an update for this long alerts both sides and the operators.
QUIET_DAYS = 14
AMOUNT_DIGITS, AMOUNT_PLACES = 14, 2
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def amount_field(verbose_name) -> models.DecimalField:
    return models.DecimalField(
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        validators=[MinValueValidator(0)],
        verbose_name=verbose_name,
    )


def text_field(verbose_name, *, blank: bool = False) -> models.TextField:
    # A TextField's max_length binds forms only; the validator binds every save.
    return models.TextField(
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        blank=blank,
        verbose_name=verbose_name,
    )


class Pilot(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        RUNNING = "running", _("Running")
        DECIDED = "decided", _("Decided")
        # A proposal that never ran: taken back by its proposer, or refused by the other party.
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined")

    class Terms(models.TextChoices):
        PAID = "paid", _("Paid")
        IN_KIND = "in_kind", _("In kind")

    class IpTerms(models.TextChoices):
        BACKGROUND_STAYS = "background_stays", _("Background IP stays with its owner")
        FOREGROUND_TO_FIRM = (
            "foreground_to_firm",
            _("Foreground IP to the firm, with a licence back to the startup"),
        )
        JOINT = "joint", _("Jointly owned")

    class Decision(models.TextChoices):
        SCALE = "scale", _("Scale")
        EXTEND = "extend", _("Extend")
        STOP = "stop", _("Stop")

    class StopReason(models.TextChoices):
        CRITERIA_NOT_MET = "criteria_not_met", _("Success criteria not met")
        PRIORITIES_CHANGED = "priorities_changed", _("Our priorities changed")
        COST = "cost", _("Too costly to scale")
        INTEGRATION = "integration", _("Could not integrate with our systems")
        OTHER = "other", _("Other")

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="pilots", verbose_name=_("match")
    )
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.PROPOSED,
        db_index=True,
        verbose_name=_("state"),
    )
    question = models.TextField(
        max_length=QUESTION_MAX_LENGTH,
        validators=[MaxLengthValidator(QUESTION_MAX_LENGTH)],
        verbose_name=_("question"),
    )
    success_criteria = models.JSONField(default=list, verbose_name=_("success criteria"))
    # A member of the firm; kept when the account goes, so the pilot still reads whole.
    decision_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pilots_to_decide",
        verbose_name=_("decision owner"),
    )
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    terms = models.CharField(max_length=10, choices=Terms.choices, verbose_name=_("terms"))
    amount = amount_field(_("amount (CNY)"))
    ip_terms = models.CharField(max_length=20, choices=IpTerms.choices, verbose_name=_("IP terms"))
    proposed_side = models.CharField(
        max_length=20, choices=Match.Side.choices, verbose_name=_("proposed by side")
    )
    proposed_by = acting_user_field(_("proposed by"))
    accepted_by = acting_user_field(_("accepted by"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    # Since when the pilot has been quiet: its acceptance, then its latest update.
    last_activity_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("last activity at")
    )
    # Set by the quiet alert, cleared by the next update: one alert per quiet spell.
    quiet_alerted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("quiet alert sent at")
    )
    # The end date of the last "decision due" alert: extending the pilot makes it due again.
    due_alerted_for = models.DateField(
        null=True, blank=True, verbose_name=_("decision due alert sent for")
    )
    decision = models.CharField(
        max_length=10, choices=Decision.choices, blank=True, verbose_name=_("decision")
    )
    decision_reason = text_field(_("decision reason"), blank=True)
    stop_reason = models.CharField(
        max_length=20, choices=StopReason.choices, blank=True, verbose_name=_("stop reason")
    )
    lesson = text_field(_("lesson"), blank=True)
    decided_by = acting_user_field(_("decided by"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    closed_by = acting_user_field(_("withdrawn or declined by"))
    closed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("withdrawn or declined at")
    )
    closed_reason = text_field(_("why withdrawn or declined"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="pilot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Pilot {self.pk} on match {self.match_id} ({self.state})"


class PilotUpdate(models.Model):
    """A dated note on how the pilot goes, by either side."""

    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, related_name="updates", verbose_name=_("pilot")
    )
    author = acting_user_field(_("author"))
    side = models.CharField(max_length=20, choices=Match.Side.choices, verbose_name=_("side"))
    on = models.DateField(verbose_name=_("date"))
    text = text_field(_("text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("pilot update")
        verbose_name_plural = _("pilot updates")
        ordering = ["pilot", "-on", "-id"]

    def __str__(self) -> str:
        return f"Update on pilot {self.pilot_id} ({self.on})"


class Outcome(models.Model):
    """A deal that followed a match (or its pilot), entered by one side, confirmed by the other."""

    class Kind(models.TextChoices):
        PURCHASE_ORDER = "purchase_order", _("Purchase order")
        TECH_DEVELOPMENT = "tech_development", _("Technology development contract")
        TECH_TRANSFER = "tech_transfer", _("Technology transfer contract")
        TECH_CONSULTING = "tech_consulting", _("Technology consulting contract")
        TECH_SERVICE = "tech_service", _("Technology service contract")
        INVESTMENT = "investment", _("Investment")
        JOINT_PATENT = "joint_patent", _("Joint patent application")
        OTHER = "other", _("Other")

    class Currency(models.TextChoices):
        CNY = "CNY", _("Yuan (CNY)")
        USD = "USD", _("US dollar (USD)")
        EUR = "EUR", _("Euro (EUR)")

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("match")
    )
    pilot = models.ForeignKey(
        Pilot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("pilot"),
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    amount = amount_field(_("amount"))
    currency = models.CharField(
        max_length=3, choices=Currency.choices, default=Currency.CNY, verbose_name=_("currency")
    )
    date = models.DateField(verbose_name=_("date"))
    # A PDF (the contract, the order): served only to the parties' members and operators.
    document = models.FileField(upload_to="outcomes/%Y/%m/", blank=True, verbose_name=_("document"))
    document_name = models.CharField(max_length=200, blank=True, verbose_name=_("file name"))
    recorded_side = models.CharField(
        max_length=20, choices=Match.Side.choices, verbose_name=_("recorded by side")
    )
    recorded_by = acting_user_field(_("recorded by"))
    confirmed_by = acting_user_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on match {self.match_id}: {self.amount} {self.currency}"
