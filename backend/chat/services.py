"""Every chat write: opening a conversation, sending, reading, inviting an operator, and the
tickets that open a WebSocket. Events leave after commit, to groups built from our ids."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.selectors import actor_for, organization_user_ids
from backend.chat import selectors
from backend.chat.models import (
    BODY_MAX_LENGTH,
    CLIENT_MSG_ID_MAX_LENGTH,
    Conversation,
    Message,
    Participant,
    WebSocketTicket,
)
from backend.chat.selectors import WRITING_ROLES, Role
from backend.chat.serializers import message_payload
from backend.common.errors import ApplicationError, PermissionDeniedError, RateLimitedError
from backend.common.events import group_publish_on_commit, publish_on_commit
from backend.matches.models import Match
from backend.notifications.services import notify

RATE_LIMIT_MESSAGES = 20
RATE_LIMIT_WINDOW = timedelta(seconds=10)
TICKET_TTL = timedelta(seconds=60)
PREVIEW_LENGTH = 140
CLIENT_MSG_ID_PATTERN = re.compile(rf"[A-Za-z0-9._:-]{{1,{CLIENT_MSG_ID_MAX_LENGTH}}}")


def conversation_group(conversation_id: int) -> str:
    """The channel-layer group of one conversation's sockets; from our ids, never client text."""
    return f"chat.{int(conversation_id)}"


# -- conversations --------------------------------------------------------------------------


@transaction.atomic
def conversation_open_for_match(*, match: Match) -> Conversation:
    """Open the conversation of a connected match (once; a repeat returns it). Called by the
    service that connects the match, inside its transaction."""
    conversation, created = Conversation.objects.get_or_create(
        match=match,
        defaults={
            "enterprise_id": match.challenge.accelerator.enterprise_id,
            "startup_id": match.startup.organization_id,
        },
    )
    if created:
        user_ids = sorted(
            set(organization_user_ids(conversation.enterprise_id))
            | set(organization_user_ids(conversation.startup_id))
        )
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, user_id=user_id) for user_id in user_ids],
            ignore_conflicts=True,
        )
        notify(
            event={
                "type": "conversation.opened",
                "conversation": conversation.pk,
                "match": match.pk,
            },
            user_ids=user_ids,
        )
    return conversation


def _require_role(
    conversation: Conversation,
    user: User,
    roles: frozenset[Role],
    refusal: str = "Operators read conversations; they write once a participant invites them.",
) -> Role:
    role = selectors.conversation_role(actor_for(user), conversation)
    if role is None:
        raise PermissionDeniedError("You do not take part in this conversation.")
    if role not in roles:
        raise PermissionDeniedError(refusal)
    return role


@transaction.atomic
def conversation_invite_operator(
    *, conversation: Conversation, by: User, operator: User
) -> Participant:
    """A member of either organisation brings an operator into the conversation (idempotent)."""
    _require_role(
        conversation,
        by,
        frozenset({Role.MEMBER}),
        "Only the members of the two organisations can invite an operator.",
    )
    if not (operator.is_active and actor_for(operator).is_operator):
        raise ApplicationError(
            "Only a platform operator can be invited.", fields={"user": ["Not an operator."]}
        )
    participant, created = Participant.objects.get_or_create(
        conversation=conversation,
        user=operator,
        defaults={"kind": Participant.Kind.OPERATOR, "invited_by": by},
    )
    if created:
        notify(
            event={
                "type": "conversation.invited",
                "conversation": conversation.pk,
                "match": conversation.match_id,
                "by": by.pk,
            },
            user_ids=[operator.pk],
        )
    return participant


# -- messages -------------------------------------------------------------------------------


def _clean(body: str, client_msg_id: str) -> tuple[str, str]:
    fields: dict[str, list[str]] = {}
    text = body.strip()
    if not text:
        fields["body"] = ["A message needs some text."]
    elif len(text) > BODY_MAX_LENGTH:
        fields["body"] = [f"At most {BODY_MAX_LENGTH} characters (this has {len(text)})."]
    elif "\x00" in text:
        fields["body"] = ["NUL characters are not allowed."]
    if not CLIENT_MSG_ID_PATTERN.fullmatch(client_msg_id):
        fields["client_msg_id"] = [
            f"1 to {CLIENT_MSG_ID_MAX_LENGTH} characters from A-Z a-z 0-9 . _ : - (a UUID fits)."
        ]
    if fields:
        raise ApplicationError("The message is invalid.", fields=fields)
    return text, client_msg_id


@transaction.atomic
def message_send(
    *, conversation: Conversation, sender: User, body: str, client_msg_id: str
) -> Message:
    """Store a message with the next `seq`, and publish it once committed.

    Idempotent: the sender's `client_msg_id` names the message, so a resend returns the stored
    message and stores nothing. The conversation row is locked while the `seq` is taken, so the
    numbers have no gaps however many processes send at once.
    """
    text, client_msg_id = _clean(body, client_msg_id)
    _require_role(conversation, sender, WRITING_ROLES)
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    stored = (
        Message.objects.select_related("sender", "sender_organization")
        .filter(conversation=locked, sender=sender, client_msg_id=client_msg_id)
        .first()
    )
    if stored is not None:
        return stored
    since = timezone.now() - RATE_LIMIT_WINDOW
    recent = Message.objects.filter(conversation=locked, sender=sender, created_at__gte=since)
    if recent.count() >= RATE_LIMIT_MESSAGES:
        raise RateLimitedError(
            f"At most {RATE_LIMIT_MESSAGES} messages in {RATE_LIMIT_WINDOW.seconds} seconds; "
            "wait a moment and send again."
        )
    message = Message.objects.create(
        conversation=locked,
        seq=locked.last_seq + 1,
        sender=sender,
        sender_organization=actor_for(sender).organization,
        body=text,
        client_msg_id=client_msg_id,
    )
    locked.last_seq, locked.last_message_at = message.seq, message.created_at
    locked.save(update_fields=["last_seq", "last_message_at"])
    # Who writes has read what came before.
    _advance_read_state(locked, sender, message.seq)
    _publish_message(locked, message)
    return message


def _publish_message(conversation: Conversation, message: Message) -> None:
    payload = message_payload(message)
    group_publish_on_commit(
        conversation_group(conversation.pk), {"type": "chat.message", "message": payload}
    )
    publish_on_commit(
        {
            "type": "message.new",
            "conversation": conversation.pk,
            "seq": message.seq,
            "sender": payload["sender"],
            "organization": payload["organization"],
            "preview": message.body[:PREVIEW_LENGTH],
        },
        [
            user_id
            for user_id in selectors.conversation_user_ids(conversation)
            if user_id != message.sender_id
        ],
    )


# -- read state -----------------------------------------------------------------------------


def _advance_read_state(conversation: Conversation, user: User, seq: int) -> tuple[bool, int]:
    """Move the user's read state up to `seq` (never back). Returns whether it moved, and the
    user's `last_read_seq` afterwards."""
    mine = Participant.objects.filter(conversation=conversation, user=user)
    if mine.filter(last_read_seq__lt=seq).update(last_read_seq=seq):
        return True, seq
    # Already at or past `seq`, or no row yet (a member who joined the organisation after the
    # conversation opened).
    participant, created = Participant.objects.get_or_create(
        conversation=conversation, user=user, defaults={"last_read_seq": seq}
    )
    return created and seq > 0, participant.last_read_seq


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, user: User, seq: int) -> int:
    """The user has read up to `seq` (clamped to the latest message). Read state only moves
    forward; the other sockets hear of it. Returns the user's `last_read_seq`."""
    _require_role(conversation, user, WRITING_ROLES)
    if seq < 0:
        raise ApplicationError("seq must be 0 or more.", fields={"seq": ["Must be 0 or more."]})
    # `last_seq` only grows: the head is re-read only when `seq` lies beyond the one we hold
    # (a socket's conversation object is as old as the socket).
    if seq > conversation.last_seq:
        seq = min(seq, selectors.conversation_last_seq(conversation.pk))
    moved, last_read_seq = _advance_read_state(conversation, user, seq)
    if moved:
        group_publish_on_commit(
            conversation_group(conversation.pk), {"type": "chat.read", "user": user.pk, "seq": seq}
        )
    return last_read_seq


# -- WebSocket tickets ----------------------------------------------------------------------


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


@transaction.atomic
def ws_ticket_issue(*, user: User) -> tuple[str, datetime]:
    """A fresh ticket for `user` and when it expires. Only its hash is stored."""
    now = timezone.now()
    WebSocketTicket.objects.filter(expires_at__lte=now).delete()
    ticket = secrets.token_urlsafe(32)
    row = WebSocketTicket.objects.create(
        key_hash=_ticket_hash(ticket), user=user, expires_at=now + TICKET_TTL
    )
    return ticket, row.expires_at


def ws_ticket_redeem(*, ticket: str) -> User | None:
    """The user a ticket was issued to, or None. A ticket works once: the first redeemer deletes
    its row, and every other process then finds none."""
    if not ticket or len(ticket) > 128:
        return None
    row = (
        WebSocketTicket.objects.select_related("user").filter(key_hash=_ticket_hash(ticket)).first()
    )
    if row is None:
        return None
    deleted, _ = WebSocketTicket.objects.filter(pk=row.pk).delete()
    if deleted != 1 or row.expires_at <= timezone.now() or not row.user.is_active:
        return None
    return row.user
