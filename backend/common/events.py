"""Live events leave from services only, after the transaction commits, to named users."""

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


def publish_now(event: dict, user_ids: Iterable[int]) -> None:
    for user_id in sorted(set(user_ids)):
        _group_send(user_group(user_id), {"type": "notify", "event": event})


def publish_on_commit(event: dict, user_ids: Iterable[int]) -> None:
    """Send `event` to each user's notification socket once the current transaction commits."""
    recipients = list(user_ids)
    transaction.on_commit(lambda: publish_now(event, recipients))


def group_publish_on_commit(group: str, message: dict) -> None:
    """Send a channel-layer `message` to one group built from our ids (a conversation's, say)
    once the current transaction commits; nothing is sent if it rolls back."""
    transaction.on_commit(lambda: _group_send(group, message))
