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


def publish_now(event: dict, user_ids: Iterable[int]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in sorted(set(user_ids)):
        try:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "notify", "event": event})
        except Exception:  # a lost notification must never undo a committed write
            logger.exception("could not publish %s to user %s", event.get("type"), user_id)


def publish_on_commit(event: dict, user_ids: Iterable[int]) -> None:
    """Send `event` to each user's notification socket once the current transaction commits."""
    recipients = list(user_ids)
    transaction.on_commit(lambda: publish_now(event, recipients))
