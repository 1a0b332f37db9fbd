"""What every WebSocket of the platform shares (see docs/websocket.md): JSON object frames
dispatched by `type`, one error frame shape, refusals as close codes, and the right checked again
for every frame and every event (`still_allowed`).

Each connection is authorised in `connect`; a refusal accepts and closes at once with a close
code, so that clients (browsers included) can read why, and nothing else is ever sent. A user
deactivated or removed from their organisation while a socket is open gets the socket closed
with 4403 at their next frame or the next event for them, and nothing more goes either way.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.common import loop
from backend.common.errors import ApplicationError
from backend.common.events import access_group
from backend.common.parsers import reject_json_constant

logger = logging.getLogger(__name__)

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
MAX_FRAME_CHARS = 64 * 1024


class FrameError(ApplicationError):
    """A frame the server cannot read; answered with an `error` frame, the socket stays open."""


def parse_frame(serializer_class: type[serializers.Serializer], frame: dict) -> dict[str, Any]:
    serializer = serializer_class(data=frame)
    if not serializer.is_valid():
        raise FrameError(_("Some fields are invalid."), fields=serializer.errors)
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
        await self.send_json({"type": "error", **error.body(), **extra})

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
            raise FrameError(_("Frames are JSON text, not binary."), code="malformed_frame")
        if len(text_data) > MAX_FRAME_CHARS:
            raise FrameError(
                _("A frame holds at most %(max_frame_chars)s characters.")
                % {"max_frame_chars": MAX_FRAME_CHARS},
                code="too_large",
            )
        try:
            frame = json.loads(text_data, parse_constant=reject_json_constant)
        except (ValueError, RecursionError):
            raise FrameError(_("Not JSON."), code="malformed_frame") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError(_("A frame is a JSON object with a string `type`."), code="invalid")
        return frame

    async def receive_json(self, content, **kwargs):
        handler = self.frame_handlers.get(content["type"])
        if handler is None:
            known = ", ".join(sorted(self.frame_handlers)) or "none"
            return await self.send_error(
                FrameError(
                    _("Unknown frame type (known: %(known)s).") % {"known": known},
                    code="unknown_type",
                )
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
                ApplicationError(_("Something went wrong on our side."), code="server_error"),
                **extra,
            )


class UnknownPathConsumer(JsonSocket):
    """Any other WebSocket path: refused as not found."""

    async def connect(self):
        await self.refuse(CLOSE_NOT_FOUND)
