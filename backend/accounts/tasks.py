"""Background work of accounts: draining the mail outbox (see `mail.py`)."""

from __future__ import annotations

from celery import shared_task

from backend.accounts.mail import outbox_send


@shared_task(acks_late=True)
def send_outgoing_mail() -> int:
    # Idempotent: the outbox records what left; a redelivered task finds nothing due.
    return outbox_send()
