"""Live events leave from services only, after the transaction commits (`publish_on_commit`), to
groups built from our ids; `group_publish` is the same send from a socket's event loop."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The notification group of one user; built from our ids, never from client text."""
    return f"user.{int(user_id)}"


def access_group(user_id: int) -> str:
    """The group of all one user's open sockets, told when the user's rights change."""
    return f"access.{int(user_id)}"


async def group_publish(group: str, message: dict) -> None:
    """The same send from async code (a socket's event loop), once the write has committed."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, message)
    except Exception:  # a lost event must never undo a committed write
        logger.exception("could not publish %s to %s", message.get("type"), group)


def _group_send(group: str, message: dict) -> None:
    async_to_sync(group_publish)(group, message)


def publish_on_commit(message: dict, to: str | Iterable[int]) -> None:
    """The one way a service sends a live event: once the current transaction commits (at once
    outside one), and nothing if it rolls back.

    `to` is a group built from our ids (a conversation's, a user's access group), which gets the
    channel-layer `message` as it is; or user ids, whose notification sockets each get
    `{"type": "notify", "event": message}`. Nothing is kept: what a user must find later goes
    through `notifications.services.notify`, which stores it and publishes through here."""
    if isinstance(to, str):
        sends = [(to, message)]
    else:
        notice = {"type": "notify", "event": message}
        sends = [(user_group(user_id), notice) for user_id in sorted(set(to))]

    def send() -> None:
        for group, each in sends:
            _group_send(group, each)

    transaction.on_commit(send)
