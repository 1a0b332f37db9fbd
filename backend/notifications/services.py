"""Durable notifications: stored with the change that caused them, sent live after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.common.events import publish_now
from backend.notifications.models import Notification


def notify(*, event: dict, user_ids: Iterable[int]) -> list[Notification]:
    """Store `event` for each user now; once the transaction commits, send each user their copy
    with its `id`, which a client uses to tell a replayed notification from a live one."""
    rows = Notification.objects.bulk_create(
        Notification(user_id=user_id, kind=event["type"], event=event)
        for user_id in sorted(set(user_ids))
    )

    def send() -> None:
        for row in rows:
            publish_now({**event, "id": row.pk}, [row.user_id])

    transaction.on_commit(send)
    return rows


def notifications_mark_seen(
    *, user: User, up_to: int | None = None, ids: Iterable[int] = ()
) -> int:
    """Mark the user's notifications seen: every one up to `up_to`, and those in `ids`.
    Another user's ids are ignored. Returns how many remain unseen."""
    unseen = Notification.objects.filter(user=user, seen_at__isnull=True)
    if up_to is not None:
        unseen.filter(pk__lte=up_to).update(seen_at=timezone.now())
    ids = list(ids)
    if ids:
        unseen.filter(pk__in=ids).update(seen_at=timezone.now())
    return unseen.count()


def notifications_mark_all_seen(*, user: User) -> None:
    Notification.objects.filter(user=user, seen_at__isnull=True).update(seen_at=timezone.now())
