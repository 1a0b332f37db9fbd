"""The chat and notification sockets: thin adapters over the services (see docs/websocket.md).

Each connection is authorised in `connect`; a refusal accepts and closes at once with a close
code, so that clients (browsers included) can read why, and nothing else is ever sent.

The right is checked again, in the database, for every frame received and every event about to
be delivered (`still_allowed`): a user deactivated or removed from their organisation while a
socket is open gets the socket closed with 4403 at their next frame or the next event for them,
and nothing more goes either way.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from rest_framework import serializers

from backend.accounts.selectors import actor_for
from backend.accounts.signals import access_group
from backend.chat import selectors, services
from backend.chat.models import Message
from backend.chat.serializers import (
    ReadSerializer,
    ResumeSerializer,
    SendMessageSerializer,
    message_payload,
)
from backend.common import loop
from backend.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from backend.common.events import group_publish, user_group
from backend.common.parsers import reject_json_constant

logger = logging.getLogger(__name__)

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
MAX_FRAME_CHARS = 64 * 1024
REPLAY_BATCH = 200
TYPING_INTERVAL_S = 1.0


class FrameError(ApplicationError):
    """A frame the server cannot read; answered with an `error` frame, the socket stays open."""


def _parse(serializer_class: type[serializers.Serializer], frame: dict) -> dict[str, Any]:
    serializer = serializer_class(data=frame)
    if not serializer.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in serializer.errors.items()}
        raise FrameError("Some fields are invalid.", fields=fields)
    return serializer.validated_data


class JsonSocket(AsyncJsonWebsocketConsumer):
    """Reads JSON object frames with a string `type` and dispatches them to `frame_handlers`;
    every other frame, and every `ApplicationError`, becomes an `error` frame."""

    frame_handlers: dict[str, str] = {}
    # Frames whose handler re-checks the right itself, inside the write (see `on_send`).
    frames_checked_by_handler: frozenset[str] = frozenset()
    revoked = False
    holds_loop = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.joined: set[str] = set()

    async def dispatch(self, message):
        """Channels' dispatch without its sweep of old connections before every message, a hop
        to the database thread for each frame and each delivery: these sockets never use
        Django's connection from the event loop, and each of their calls that does sweeps its
        own thread's connection (`database_sync_to_async`, `loop.in_worker`)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def join(self, group: str) -> None:
        self.joined.add(group)
        await self.channel_layer.group_add(group, self.channel_name)

    async def still_allowed(self) -> bool:
        """Whether the user still holds the right the socket was opened with; re-read from the
        database (one query) for every frame and every event."""
        return True

    async def revoked_now(self) -> bool:
        """Close with 4403 unless `still_allowed`; True when the socket is (now) closed."""
        if self.revoked:
            return True
        if await self.still_allowed():
            return False
        self.revoked = True
        logger.info("%s: the user lost the right; closing", type(self).__name__)
        await self.close(code=CLOSE_FORBIDDEN)
        return True

    async def watch_access(self, user_id: int) -> None:
        """Join the user's access group: a membership removed or the account deactivated, in
        any process, makes the socket check `still_allowed` at once (`access_changed`)."""
        await self.join(access_group(user_id))

    async def hold_loop(self) -> None:
        """Keep the loop's own clients open while this socket is (`backend.common.loop`)."""
        await loop.hold()
        self.holds_loop = True

    async def disconnect(self, code):
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.holds_loop:
            self.holds_loop = False
            await loop.release()

    async def access_changed(self, event: dict) -> None:
        await self.revoked_now()

    async def refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def send_error(self, error: ApplicationError, **extra: Any) -> None:
        body = {"code": error.code, "message": error.message, "fields": error.fields}
        await self.send_json({"type": "error", "error": body, **extra})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            frame = self._read_frame(text_data)
        except FrameError as error:
            if not await self.revoked_now():
                await self.send_error(error)
            return
        if frame["type"] in self.frames_checked_by_handler or not await self.revoked_now():
            await self.receive_json(frame)

    @staticmethod
    def _read_frame(text_data: str | None) -> dict:
        if text_data is None:
            raise FrameError("Frames are JSON text, not binary.", code="malformed_frame")
        if len(text_data) > MAX_FRAME_CHARS:
            raise FrameError(
                f"A frame holds at most {MAX_FRAME_CHARS} characters.", code="too_large"
            )
        try:
            frame = json.loads(text_data, parse_constant=reject_json_constant)
        except (ValueError, RecursionError):
            raise FrameError("Not JSON.", code="malformed_frame") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError("A frame is a JSON object with a string `type`.", code="invalid")
        return frame

    async def receive_json(self, content, **kwargs):
        handler = self.frame_handlers.get(content["type"])
        if handler is None:
            known = ", ".join(sorted(self.frame_handlers)) or "none"
            return await self.send_error(
                FrameError(f"Unknown frame type (known: {known}).", code="unknown_type")
            )
        ref = content.get("client_msg_id")
        extra = {"client_msg_id": ref} if isinstance(ref, str) else {}
        try:
            await getattr(self, handler)(content)
        except ApplicationError as error:
            await self.send_error(error, **extra)
        except OSError:  # the server raises it when the client left before our reply: routine
            logger.info("%s frame: the client left before the reply", content["type"])
        except Exception:  # the socket outlives one failed frame; the client may resend
            logger.exception("%s frame failed", content["type"])
            await self.send_error(
                ApplicationError("Something went wrong on our side.", code="server_error"), **extra
            )


class ChatConsumer(JsonSocket):
    """`/ws/chat/<conversation_id>/`: send, typing, read and resume for one conversation.

    `cursor` is the highest `seq` this socket has delivered. Live messages at or below it are
    skipped (already replayed); one beyond `cursor + 1` first pulls the gap from the database.
    So a client sees each message once, in `seq` order, whatever the order of arrival.
    """

    frame_handlers = {
        "send": "on_send",
        "typing": "on_typing",
        "read": "on_read",
        "resume": "on_resume",
    }
    frames_checked_by_handler = frozenset({"send"})

    async def connect(self):
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            return await self.refuse(CLOSE_NOT_AUTHENTICATED)
        try:
            self.conversation, role = await self._open(self.scope["url_route"]["kwargs"])
        except NotFoundError:
            return await self.refuse(CLOSE_NOT_FOUND)
        except PermissionDeniedError:
            return await self.refuse(CLOSE_FORBIDDEN)
        self.can_write = role in selectors.WRITING_ROLES
        self.group = services.conversation_group(self.conversation.pk)
        self.last_typing = 0.0
        # Join first, then read the head: whatever commits later reaches us through the group.
        await self.join(self.group)
        await self.watch_access(self.user.pk)
        self.cursor = await database_sync_to_async(selectors.conversation_last_seq)(
            self.conversation.pk
        )
        await self.hold_loop()
        await self.accept()

    @database_sync_to_async
    def _open(self, kwargs: dict):
        actor = actor_for(self.user)
        if actor.organization is None:
            raise PermissionDeniedError("This account acts for no organisation.")
        conversation = selectors.conversation_get_for_actor(actor, int(kwargs["conversation_id"]))
        return conversation, selectors.conversation_role(actor, conversation)

    async def still_allowed(self) -> bool:
        # Also refreshes the actor cached on `self.user`, so the services see the same answer,
        # and the role: an operator invited since may now type.
        role = await database_sync_to_async(selectors.conversation_role_now)(
            self.user, self.conversation
        )
        if role is None:
            return False
        self.can_write = role in selectors.WRITING_ROLES
        return True

    # -- client frames --------------------------------------------------------------------

    async def on_send(self, frame: dict) -> None:
        """The right is checked by the statement that takes the message's `seq`, so a send costs
        no query before it; a refusal re-reads the right to tell a lost one (the socket closes)
        from a reader's (an error frame)."""
        data = _parse(SendMessageSerializer, frame)
        try:
            sent = await services.message_store_async(
                conversation=self.conversation, sender=self.user, **data
            )
        except PermissionDeniedError:
            if await self.revoked_now():
                return
            raise
        # The message is committed when message_store_async returns: the event and the ack
        # never promise more. Published from here, the event loop, with no thread hand-off.
        if sent.created:
            await group_publish(self.group, services.message_event(sent))
        message = sent.message
        await self.send_json(
            {"type": "ack", "client_msg_id": message.client_msg_id, "seq": message.seq}
        )

    async def on_typing(self, frame: dict) -> None:
        # `send` and `read` check the role again in the services; `can_write` was re-read for
        # this very frame (`still_allowed`).
        if not self.can_write:
            raise PermissionDeniedError("Only participants can type here.")
        now = time.monotonic()
        if now - self.last_typing < TYPING_INTERVAL_S:
            return
        self.last_typing = now
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "chat.typing",
                "user": {"id": self.user.pk, "name": self.user.full_name},
                "origin": self.channel_name,
            },
        )

    async def on_read(self, frame: dict) -> None:
        seq = _parse(ReadSerializer, frame)["seq"]
        await loop.in_worker(services.conversation_mark_read)(
            conversation=self.conversation, user=self.user, seq=seq
        )

    async def on_resume(self, frame: dict) -> None:
        after_seq = _parse(ResumeSerializer, frame)["after_seq"]
        head = await database_sync_to_async(selectors.conversation_last_seq)(self.conversation.pk)
        self.cursor = min(after_seq, head)
        await self._replay()
        await self.send_json({"type": "resumed", "last_seq": self.cursor})

    async def _replay(self) -> None:
        """Send every stored message after `cursor`, in order, in batches."""
        while True:
            batch = await database_sync_to_async(self._stored_after)(self.cursor)
            for payload in batch:
                await self.send_json({"type": "message", "message": payload})
                self.cursor = payload["seq"]
            if len(batch) < REPLAY_BATCH:
                return

    def _stored_after(self, seq: int) -> list[dict]:
        messages = selectors.messages_after(self.conversation.pk, seq, REPLAY_BATCH)
        return [message_payload(message) for message in messages]

    # -- group events ---------------------------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        # `to` holds who had the right when the message was stored; anyone else (an operator
        # reading, a member who lost the right) is checked in the database.
        if self.revoked or (self.user.pk not in event.get("to", ()) and await self.revoked_now()):
            return
        seq = event["message"]["seq"]
        if seq <= self.cursor:
            return
        if seq > self.cursor + 1:
            await self._replay()  # a message published out of order or lost on the way
            if seq <= self.cursor:
                return
        await self.send_json({"type": "message", "message": event["message"]})
        self.cursor = seq

    async def chat_typing(self, event: dict) -> None:
        if event["origin"] != self.channel_name and not await self.revoked_now():
            await self.send_json({"type": "typing", "user": event["user"]})

    async def chat_read(self, event: dict) -> None:
        if await self.revoked_now():
            return
        await self.send_json({"type": "read", "user": event["user"], "seq": event["seq"]})


class NotificationConsumer(JsonSocket):
    """`/ws/notifications/`: one socket per signed-in user, server to client only.

    It joins the user's own group and the group of each conversation the user takes part in:
    a conversation's new messages are published once, to its group, and this socket derives
    `message.new` from them, for a user among the message's readers other than its sender."""

    OPENS_A_CONVERSATION = frozenset({"conversation.opened", "conversation.invited"})

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return await self.refuse(CLOSE_NOT_AUTHENTICATED)
        self.user_id = user.pk
        await self.join(user_group(user.pk))
        await self.watch_access(user.pk)
        for conversation_id in await database_sync_to_async(selectors.conversation_ids_of_user)(
            user.pk
        ):
            await self.join(services.conversation_group(conversation_id))
        await self.accept()

    async def still_allowed(self) -> bool:
        # This socket needs no organisation (it is refused only to the anonymous), so losing a
        # membership does not close it: the organisation's events stop reaching that user at
        # once, since their recipients are read when each is published.
        return await database_sync_to_async(selectors.user_is_active)(self.user_id)

    async def notify(self, event: dict) -> None:
        if await self.revoked_now():
            return
        payload = event["event"]
        if payload.get("type") in self.OPENS_A_CONVERSATION:
            await self.join(services.conversation_group(payload["conversation"]))
        await self.send_json({"type": "notification", "event": payload})

    async def chat_message(self, event: dict) -> None:
        message = event["message"]
        # `to` holds the readers whose right (an active account included) was read when the
        # message was stored: no query here.
        mine = message["sender"]["id"] == self.user_id
        # An event message's own notification is stored and sent by the service that recorded it.
        told = message["kind"] == Message.Kind.EVENT
        if self.revoked or mine or told or self.user_id not in event.get("to", ()):
            return
        await self.send_json(
            {
                "type": "notification",
                "event": {
                    "type": "message.new",
                    "conversation": message["conversation"],
                    "seq": message["seq"],
                    "sender": message["sender"],
                    "organization": message["organization"],
                    "preview": message["body"][: services.PREVIEW_LENGTH],
                },
            }
        )

    async def chat_typing(self, event: dict) -> None:
        """Typing is for the conversation's own sockets."""

    async def chat_read(self, event: dict) -> None:
        """Read state is for the conversation's own sockets."""


class UnknownPathConsumer(JsonSocket):
    """Any other WebSocket path: refused as not found."""

    async def connect(self):
        await self.refuse(CLOSE_NOT_FOUND)
