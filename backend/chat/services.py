"""Every chat write: opening a conversation, sending, reading, inviting an operator, and the
tickets that open a WebSocket. Events leave after commit, to groups built from our ids."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, cast

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Membership, Organization, User
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
from backend.common import loop
from backend.common.errors import (
    ApplicationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    Text,
)
from backend.common.events import publish_on_commit
from backend.common.ratelimit import SlidingWindow
from backend.matches.models import Match
from backend.notifications.services import notify

RATE_LIMIT_MESSAGES = 20
RATE_LIMIT_WINDOW_S = 10
# Per sender and conversation, in the cache: shared by every server process on Redis.
SEND_RATE = SlidingWindow("chat-send", RATE_LIMIT_MESSAGES, RATE_LIMIT_WINDOW_S)
READER_REFUSAL = _("Operators read conversations; they write once a participant invites them.")
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
    refusal: Text = READER_REFUSAL,
) -> Role:
    role = selectors.conversation_role(actor_for(user), conversation)
    if role is None:
        raise PermissionDeniedError(_("You do not take part in this conversation."))
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
            _("Only a platform operator can be invited."), fields={"user": [_("Not an operator.")]}
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
    fields: dict[str, list[Text]] = {}
    text = body.strip()
    if not text:
        fields["body"] = [_("A message needs some text.")]
    elif len(text) > BODY_MAX_LENGTH:
        fields["body"] = [
            _("At most %(most)s characters (this has %(length)s).")
            % {"most": BODY_MAX_LENGTH, "length": len(text)}
        ]
    elif "\x00" in text:
        fields["body"] = [_("NUL characters are not allowed.")]
    if not CLIENT_MSG_ID_PATTERN.fullmatch(client_msg_id):
        fields["client_msg_id"] = [
            _("1 to %(most)s characters from A-Z a-z 0-9 . _ : - (a UUID fits).")
            % {"most": CLIENT_MSG_ID_MAX_LENGTH}
        ]
    if fields:
        raise ApplicationError(_("The message is invalid."), fields=fields)
    return text, client_msg_id


@dataclass(frozen=True)
class Sent:
    """What sending stored: the message, whether it is new (a resend stores nothing), and who
    may read it, decided in the transaction that stored it (the members of the two organisations
    and the invited operators, active accounts only)."""

    message: Message
    created: bool
    readers: tuple[int, ...] = ()


def message_store(
    *, conversation: Conversation, sender: User, body: str, client_msg_id: str
) -> Sent:
    """Store a message with the next `seq`; the caller publishes it (`message_event`) once the
    transaction has committed. `message_send` does both; `message_store_async` is the same for a
    socket's event loop.

    One write (`_write`): the conversation's counter is advanced only if the sender still has
    the right, the message is inserted with it, and the sender's read state moves up to it.
    Idempotent: the sender's `client_msg_id` names the message, and a resend, caught by the
    unique constraint, returns the stored message and stores nothing.
    """
    text, client_msg_id = _clean(body, client_msg_id)
    rate_key = _rate_key(conversation, sender)
    if not SEND_RATE.hit(rate_key):
        return _answer_over_the_limit(conversation, sender, client_msg_id)
    message, right = _new_message(conversation, sender, text, client_msg_id)
    try:
        sent = None if right is None else _write(message, right)
    except IntegrityError:
        SEND_RATE.refund(rate_key)
        stored = _stored(conversation, sender, client_msg_id)
        if stored is None:
            raise
        return Sent(stored, created=False)
    if sent is None:
        SEND_RATE.refund(rate_key)
        raise _send_refusal(conversation, sender)
    return sent


async def message_store_async(
    *, conversation: Conversation, sender: User, body: str, client_msg_id: str
) -> Sent:
    """`message_store` from a socket's event loop. On PostgreSQL a send that is new, allowed
    and under the limit (nearly every one) takes no thread: one Redis round trip through the
    loop's client, then `_write`'s one statement through the loop's pool. What is left (over
    the limit, a resend, a refusal) and SQLite take the same steps in a worker thread."""
    if not loop.postgresql_on_the_loop():
        return await loop.in_worker(message_store)(
            conversation=conversation, sender=sender, body=body, client_msg_id=client_msg_id
        )
    text, client_msg_id = _clean(body, client_msg_id)
    rate_key = _rate_key(conversation, sender)
    if not await SEND_RATE.hit_async(rate_key):
        return await loop.in_worker(_answer_over_the_limit)(conversation, sender, client_msg_id)
    message, right = _new_message(conversation, sender, text, client_msg_id)
    try:
        taken = None if right is None else await loop.fetchone(*_one_statement(message, right))
    except psycopg.IntegrityError:
        await SEND_RATE.refund_async(rate_key)
        stored = await loop.in_worker(_stored)(conversation, sender, client_msg_id)
        if stored is None:
            raise
        return Sent(stored, created=False)
    if taken is None:
        await SEND_RATE.refund_async(rate_key)
        raise await loop.in_worker(_send_refusal)(conversation, sender)
    return _written(message, taken)


def message_send(
    *, conversation: Conversation, sender: User, body: str, client_msg_id: str
) -> Message:
    """Store a message (`message_store`) and publish it once committed."""
    sent = message_store(
        conversation=conversation, sender=sender, body=body, client_msg_id=client_msg_id
    )
    if sent.created:
        publish_on_commit(message_event(sent), to=conversation_group(conversation.pk))
    return sent.message


def message_event(sent: Sent) -> dict:
    """The one channel-layer event of a new message. The conversation's chat sockets deliver
    it, and its participants' notification sockets derive `message.new` from it; each only for
    a user among `to`, whose right was read in the transaction that stored it."""
    return {"type": "chat.message", "message": message_payload(sent.message), "to": sent.readers}


def _rate_key(conversation: Conversation, sender: User) -> str:
    return f"{conversation.pk}:{sender.pk}"


def _answer_over_the_limit(conversation: Conversation, sender: User, client_msg_id: str) -> Sent:
    """A resend is answered over the limit too; anything else is refused."""
    stored = _stored(conversation, sender, client_msg_id)
    if stored is not None:
        return Sent(stored, created=False)
    raise RateLimitedError(
        _("At most %(count)s messages in %(seconds)s seconds; wait a moment and send again.")
        % {"count": RATE_LIMIT_MESSAGES, "seconds": RATE_LIMIT_WINDOW_S}
    )


def _stored(conversation: Conversation, sender: User, client_msg_id: str) -> Message | None:
    return (
        Message.objects.select_related("sender", "sender_organization")
        .filter(conversation=conversation, sender=sender, client_msg_id=client_msg_id)
        .first()
    )


def _new_message(
    conversation: Conversation, sender: User, text: str, client_msg_id: str
) -> tuple[Message, tuple[str, list] | None]:
    """The message to store, and the condition of the sender's right (None: it cannot hold).
    The sender's actor is the one cached on the user (a socket's is re-read as it goes)."""
    organization = actor_for(sender).organization
    message = Message(
        conversation=conversation,
        sender=sender,
        sender_organization=organization,
        body=text,
        client_msg_id=client_msg_id,
    )
    if organization is None:
        return message, None
    return message, _sender_right(conversation, sender, organization)


def _sender_right(
    conversation: Conversation, sender: User, organization: Organization
) -> tuple[str, list] | None:
    """The condition, in SQL, that `sender` may write in the conversation now: an active account
    with a membership of `organization`, which is one of the two organisations, or an operator
    organisation with an invitation to this conversation. None when it cannot hold."""
    membership_table = Membership._meta.db_table
    user_table = User._meta.db_table
    member = f"""EXISTS (SELECT 1 FROM {membership_table} m JOIN {user_table} u ON u.id = m.user_id
                 WHERE m.user_id = %s AND m.organization_id = %s AND u.is_active)"""
    params: list = [sender.pk, organization.pk]
    if organization.pk in (conversation.enterprise_id, conversation.startup_id):
        return member, params
    if organization.kind != Organization.Kind.OPERATOR:
        return None
    invited = f"""EXISTS (SELECT 1 FROM {Participant._meta.db_table} p
                  WHERE p.conversation_id = %s AND p.user_id = %s AND p.kind = %s)"""
    return f"{member} AND {invited}", [
        *params,
        conversation.pk,
        sender.pk,
        Participant.Kind.OPERATOR,
    ]


def _write(message: Message, right: tuple[str, list] = ("TRUE", [])) -> Sent | None:
    """Number and store `message`, where the `right` condition holds; None where it does not.

    Three writes: the conversation's `last_seq` is advanced (which locks its row until the
    commit, so the numbers have no gaps however many processes send at once) and returns who may
    read the message (the two organisations' active members and the invited operators); the
    message is inserted with that `seq`; its sender has read up to it. On PostgreSQL the three
    are one statement (`_one_statement`), a transaction of its own and one round trip; SQLite,
    which has no writes in `WITH`, runs them one by one in a transaction."""
    if connection.vendor == "postgresql":
        statement = _one_statement(message, right)
        # Inside another transaction, a savepoint keeps a refused insert from spoiling it.
        savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        with savepoint, connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params)
            taken = cursor.fetchone()
    else:
        taken = _statement_by_statement(message, right)
    return None if taken is None else _written(message, taken)


def _written(message: Message, taken: tuple[int, int, str | None]) -> Sent:
    message_id, seq, readers = taken
    message.pk, message.seq = message_id, seq
    message._state.adding, message._state.db = False, connection.alias
    message.conversation.last_seq = seq
    return Sent(
        message,
        created=True,
        readers=tuple(sorted(int(user_id) for user_id in (readers or "").split(",") if user_id)),
    )


class _Statement(NamedTuple):
    sql: str
    params: list


def _one_statement(message: Message, right: tuple[str, list]) -> _Statement:
    """`_write`'s three parts as one PostgreSQL statement; its row: (id, seq, readers)."""
    advance = _advance(message, right)
    insert = _insert(message, seq="taken.last_seq", source="FROM taken")
    read = _read_up_to(message, seq="taken.last_seq", source="FROM taken")
    return _Statement(
        f"""WITH taken AS ({advance.sql}), stored AS ({insert.sql}), read AS ({read.sql})
            SELECT stored.id, taken.last_seq, taken.readers FROM taken, stored""",
        advance.params + insert.params + read.params,
    )


def _statement_by_statement(
    message: Message, right: tuple[str, list]
) -> tuple[int, int, str | None] | None:
    advance = _advance(message, right)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(advance.sql, advance.params)
        taken = cursor.fetchone()
        if taken is None:
            return None
        seq, readers = taken
        insert = _insert(message, seq="%s", source="", seq_params=[seq])
        cursor.execute(insert.sql, insert.params)
        (message_id,) = cursor.fetchone()
        read = _read_up_to(message, seq="%s", source="", seq_params=[seq])
        cursor.execute(read.sql, read.params)
    return message_id, seq, readers


def _advance(message: Message, right: tuple[str, list]) -> _Statement:
    """Advance the conversation's `last_seq` where `right` holds; returns it and the readers."""
    conversation = message.conversation
    membership_table = Membership._meta.db_table
    user_table = User._meta.db_table
    participant_table = Participant._meta.db_table
    if connection.vendor == "postgresql":
        joined_ids = "string_agg(CAST(r.id AS text), ',')"
    else:
        joined_ids = "group_concat(r.id, ',')"
    condition, condition_params = right
    sql = f"""
        UPDATE {Conversation._meta.db_table} SET last_seq = last_seq + 1, last_message_at = %s
        WHERE id = %s AND {condition}
        RETURNING last_seq, (
          SELECT {joined_ids} FROM (
            SELECT m.user_id AS id FROM {membership_table} m
              JOIN {user_table} u ON u.id = m.user_id
              WHERE m.organization_id IN (%s, %s) AND u.is_active
            UNION
            SELECT p.user_id FROM {participant_table} p JOIN {user_table} u ON u.id = p.user_id
              WHERE p.conversation_id = %s AND p.kind = %s AND u.is_active
          ) r) AS readers
    """
    return _Statement(
        sql,
        [
            connection.ops.adapt_datetimefield_value(message.created_at),
            conversation.pk,
            *condition_params,
            conversation.enterprise_id,
            conversation.startup_id,
            conversation.pk,
            Participant.Kind.OPERATOR,
        ],
    )


@functools.cache
def _message_columns(vendor: str) -> tuple[tuple[Field, ...], str, str]:
    """The fields an insert gives (all but the id and `seq`), their columns and placeholders:
    the same for every message on one database, so worked out once, off the send's path."""
    fields = tuple(
        field
        for field in Message._meta.concrete_fields
        if not field.primary_key and field.name != "seq"
    )
    # A concrete field has a column; the stubs allow None for the others.
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)
    return fields, columns, ", ".join(_typed_placeholder(field) for field in fields)


def _insert(message: Message, *, seq: str, source: str, seq_params=()) -> _Statement:
    """Insert `message` with the `seq` that the SQL expression `seq` gives."""
    fields, columns, placeholders = _message_columns(connection.vendor)
    values = [field.get_db_prep_save(field.pre_save(message, True), connection) for field in fields]
    return _Statement(
        f"""INSERT INTO {Message._meta.db_table} ({columns}, seq)
            SELECT {placeholders}, {seq} {source} RETURNING id""",
        [*values, *seq_params],
    )


def _typed_placeholder(field) -> str:
    """A parameter for `field`'s column in a `SELECT` list, where PostgreSQL cannot tell its
    type from the column it goes to (a NULL, a string): cast to the column's type, so that the
    statement can be prepared and bound on the server. SQLite takes any value as it is."""
    if connection.vendor != "postgresql":
        return "%s"
    return f"CAST(%s AS {field.db_type(connection)})"


@functools.cache
def _participant_placeholders(vendor: str) -> tuple[str, ...]:
    return tuple(
        _typed_placeholder(Participant._meta.get_field(name))
        for name in ("conversation", "user", "kind", "created_at")
    )


def _read_up_to(message: Message, *, seq: str, source: str, seq_params=()) -> _Statement:
    """Move the sender's read state up to `seq` (never back); a member who joined the
    organisation after the conversation opened has no row yet and gets one."""
    table = Participant._meta.db_table
    greatest = "GREATEST" if connection.vendor == "postgresql" else "max"
    conversation, user, kind, created_at = _participant_placeholders(connection.vendor)
    # `WHERE TRUE` tells SQLite's parser that ON CONFLICT belongs to the INSERT.
    return _Statement(
        f"""INSERT INTO {table} (conversation_id, user_id, kind, last_read_seq, created_at)
            SELECT {conversation}, {user}, {kind}, {seq}, {created_at} {source} WHERE TRUE
            ON CONFLICT (conversation_id, user_id) DO UPDATE
            SET last_read_seq = {greatest}({table}.last_read_seq, excluded.last_read_seq)""",
        [
            message.conversation_id,
            message.sender_id,
            Participant.Kind.MEMBER,
            *seq_params,
            connection.ops.adapt_datetimefield_value(message.created_at),
        ],
    )


def _send_refusal(conversation: Conversation, sender: User) -> ApplicationError:
    """Why a send was refused, from the sender's rights re-read now."""
    role = selectors.conversation_role(actor_for(sender, fresh=True), conversation)
    if role is None:
        return PermissionDeniedError(_("You do not take part in this conversation."))
    if role == Role.READER:
        return PermissionDeniedError(READER_REFUSAL)
    if not Conversation.objects.filter(pk=conversation.pk).exists():
        return NotFoundError(_("Conversation not found."))
    return PermissionDeniedError(_("You cannot write in this conversation now."))


def conversation_record_event(*, match_id: int, sender: User, event: dict) -> Message | None:
    """Record `event` (as its notification carries it) in the match's conversation, if it has
    one, as `sender`'s doing, numbered among the messages; published once committed. Called by
    the service that did what the event says, inside its transaction, having checked its actor:
    the record needs no right of its own."""
    conversation = Conversation.objects.filter(match_id=match_id).first()
    if conversation is None:
        return None
    sent = _write(
        Message(
            conversation=conversation,
            kind=Message.Kind.EVENT,
            sender=sender,
            sender_organization=actor_for(sender).organization,
            event=event,
            client_msg_id=f"event:{secrets.token_hex(16)}",
        )
    )
    if sent is None:  # the conversation went in the meantime
        return None
    publish_on_commit(message_event(sent), to=conversation_group(conversation.pk))
    return sent.message


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
        raise ApplicationError(
            _("seq must be 0 or more."), fields={"seq": [_("Must be 0 or more.")]}
        )
    # `last_seq` only grows: the head is re-read only when `seq` lies beyond the one we hold
    # (a socket's conversation object is as old as the socket).
    if seq > conversation.last_seq:
        seq = min(seq, selectors.conversation_last_seq(conversation.pk))
    moved, last_read_seq = _advance_read_state(conversation, user, seq)
    if moved:
        publish_on_commit(
            {"type": "chat.read", "user": user.pk, "seq": seq},
            to=conversation_group(conversation.pk),
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
