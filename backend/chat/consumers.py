"""The chat socket: a thin adapter over the chat services (see docs/websocket.md). Its frames,
refusals and re-checked rights are those of every socket (`backend.common.sockets`)."""

from __future__ import annotations

import time

from channels.db import database_sync_to_async
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import actor_for
from backend.chat import selectors, services
from backend.chat.serializers import (
    ReadSerializer,
    ResumeSerializer,
    SendMessageSerializer,
    message_payload,
)
from backend.common import loop
from backend.common.errors import NotFoundError, PermissionDeniedError
from backend.common.events import group_publish
from backend.common.sockets import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_NOT_FOUND,
    JsonSocket,
    parse_frame,
)

REPLAY_BATCH = 200
TYPING_INTERVAL_S = 1.0


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
            raise PermissionDeniedError(_("This account acts for no organisation."))
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
        data = parse_frame(SendMessageSerializer, frame)
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
            raise PermissionDeniedError(_("Only participants can type here."))
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
        seq = parse_frame(ReadSerializer, frame)["seq"]
        await loop.in_worker(services.conversation_mark_read)(
            conversation=self.conversation, user=self.user, seq=seq
        )

    async def on_resume(self, frame: dict) -> None:
        after_seq = parse_frame(ResumeSerializer, frame)["after_seq"]
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
