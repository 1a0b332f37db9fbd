"""What the lower apps record for matching without knowing that matching exists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def acting_user_field(verbose_name) -> models.ForeignKey:
    """Who did something to a row (published it, declined it, invited someone): kept when
    the account goes, as a blank."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class DocumentKind(models.TextChoices):
    """The two kinds of document the platform matches: each side of the market."""

    CHALLENGE = "challenge", _("Challenge")
    STARTUP = "startup", _("Startup")


class MatchingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class MatchingState(models.Model):
    """Where matching stands for a document. Empty until the document is first submitted
    (a draft challenge); `pending` from the change until the indexer has applied it."""

    matching_status = models.CharField(
        _("matching status"), max_length=10, choices=MatchingStatus.choices, blank=True, default=""
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        abstract = True


class DocumentChange(models.Model):
    """Durable log of "this document changed", written in the same transaction as the change.

    The indexer drains it after the response: it reads the document as it is then, so several
    changes to one document cost one embedding. Rows are deleted once applied.
    """

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    owner_id = models.PositiveBigIntegerField()
    # Whose budget the re-embedding counts against.
    organization_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "owner_id"], name="change_document_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.owner_id}"
