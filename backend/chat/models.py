"""Conversations between the two sides of a connected match, their messages and read state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Organization
from backend.common.models import acting_user_field
from backend.matches.models import Match

BODY_MAX_LENGTH = 4_000
CLIENT_MSG_ID_MAX_LENGTH = 64


class Conversation(models.Model):
    """One per connected match. The members of its two organisations take part; operators may
    read it, and take part once a participant invites them.

    `last_seq` is the sequence counter: it is read and advanced only under a lock on this row.
    """

    match = models.OneToOneField(
        Match, on_delete=models.CASCADE, related_name="conversation", verbose_name=_("match")
    )
    enterprise = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )
    startup = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("startup")
    )
    last_seq = models.PositiveBigIntegerField(default=0, verbose_name=_("last seq"))
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise"]), models.Index(fields=["startup"])]

    def __str__(self) -> str:
        return f"Conversation {self.pk} (match {self.match_id})"


class Participant(models.Model):
    """Read state of one user in one conversation, and the invitation of an operator.

    Members of the two organisations take part by membership (a row is made when they first need
    one); an operator takes part only with a row of kind `operator`, made by an invitation.
    """

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member of a matched organisation")
        OPERATOR = "operator", _("Invited operator")

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("conversation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_participations",
        verbose_name=_("user"),
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.MEMBER, verbose_name=_("kind")
    )
    last_read_seq = models.PositiveBigIntegerField(default=0, verbose_name=_("last read seq"))
    invited_by = acting_user_field(_("invited by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="unique_participant")
        ]
        ordering = ["conversation", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation} (read to {self.last_read_seq})"


class Message(models.Model):
    """A stored message. `seq` numbers a conversation's messages 1, 2, 3... without gaps.

    Most are text someone wrote. An `event` message records, in the conversation's own timeline,
    something its people did elsewhere (a pilot proposed, decided, an outcome confirmed): `event`
    holds it as notifications carry it, `body` stays empty, and pages word it in the reader's
    language; `sender` is who did it."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        EVENT = "event", _("Event")

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    seq = models.PositiveBigIntegerField(verbose_name=_("seq"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chat_messages",
        verbose_name=_("sender"),
    )
    # The organisation the sender spoke for, kept so history reads the same after people move.
    sender_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender organization"),
    )
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.TEXT, verbose_name=_("kind")
    )
    body = models.TextField(max_length=BODY_MAX_LENGTH, blank=True, verbose_name=_("body"))
    event = models.JSONField(null=True, blank=True, verbose_name=_("event"))
    client_msg_id = models.CharField(
        max_length=CLIENT_MSG_ID_MAX_LENGTH, verbose_name=_("client msg id")
    )
    # Given by the send, which writes the same instant to the conversation's `last_message_at`.
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="unique_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_msg_id"], name="unique_client_msg_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["conversation", "sender", "created_at"], name="chat_message_rate_idx"
            )
        ]
        ordering = ["conversation", "seq"]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.conversation_id} by {self.sender_id}"


class WebSocketTicket(models.Model):
    """A short-lived, single-use pass that lets an API client open a WebSocket.

    Only a hash of the ticket is stored; redeeming deletes the row, so a ticket opens one socket
    however many server processes share the database.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ws_tickets"
    )
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"ticket for {self.user_id} until {self.expires_at:%H:%M:%S}"
