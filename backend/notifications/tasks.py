"""Background work of notifications: the daily digests (a `celery beat` entry)."""

from __future__ import annotations

from celery import shared_task

from backend.notifications.services import digests_send


@shared_task(acks_late=True)
def send_digests() -> int:
    # Idempotent: each notification is mailed at most once, however often this runs.
    return digests_send()
