"""Mail, through a durable outbox.

`mail_queue` renders a mail in its recipient's language and stores it in the caller's
transaction; once that commits, the background sends it: a Celery worker when tasks run there,
otherwise a task on the server's event loop (started with the ASGI lifespan). A send that fails
stays in the outbox and is tried again later, with a growing pause, so no mail is lost to an
SMTP server that is down for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from asgiref.sync import sync_to_async
from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from backend.accounts.models import OutgoingMail, User
from backend.common.background import BackgroundLoop, in_own_connections

logger = logging.getLogger(__name__)

POLL_SECONDS = 30
MAX_ATTEMPTS = 12
BATCH = 100
# How long a sender owns a mail it is sending; longer than any SMTP timeout.
CLAIM = timedelta(minutes=5)


def mail_queue(*, user: User, template: str, context: dict) -> OutgoingMail:
    """Queue the mail `<template>_subject.txt` + `<template>.txt` to `user`, in their language.

    Sent after the transaction commits; nothing is sent if it rolls back."""
    with translation.override(user.language):
        context = {
            **context,
            "user": user,
            "site_url": settings.SITE_URL,
            "link_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    mail = OutgoingMail.objects.create(
        to=user.email, subject=" ".join(subject.split())[:255], body=body
    )
    transaction.on_commit(wake_mail_sender)
    return mail


def outbox_send(*, limit: int = BATCH) -> int:
    """Send the mail that is due; returns how many left."""
    due = OutgoingMail.objects.filter(sent_at__isnull=True, next_attempt_at__lte=timezone.now())
    return sum(mail_send(mail) for mail in list(due[:limit]))


def mail_send(mail: OutgoingMail) -> bool:
    """Send one mail read from the outbox, unless another sender has taken it since it was read;
    whether it left.

    The mail is first claimed for a while (a compare-and-set on its next attempt), then sent
    outside any transaction: processes draining at once never send one twice, and no lock is
    held while an SMTP server answers. A process that dies mid-send leaves its claim to expire."""
    claimed = OutgoingMail.objects.filter(
        pk=mail.pk, sent_at__isnull=True, next_attempt_at=mail.next_attempt_at
    ).update(next_attempt_at=timezone.now() + CLAIM)
    if not claimed:
        return False
    try:
        EmailMessage(mail.subject, mail.body, to=[mail.to]).send()
    except Exception as exc:  # the SMTP server, the network: anything, tried again
        _failed(mail, exc)
        return False
    mail.sent_at = timezone.now()
    mail.attempts += 1
    # The body may hold a link that signs someone in: once sent, it is not kept.
    mail.body = ""
    mail.save(update_fields=["sent_at", "attempts", "body"])
    return True


def _failed(mail: OutgoingMail, exc: Exception) -> None:
    mail.attempts += 1
    mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if mail.attempts >= MAX_ATTEMPTS:
        # Kept unsent, with its error, for an administrator to see; never tried again.
        mail.next_attempt_at = timezone.now() + timedelta(days=36500)
        logger.error("giving up on mail %s to %s: %s", mail.pk, mail.to, mail.last_error)
    else:
        mail.next_attempt_at = timezone.now() + timedelta(seconds=min(3600, 15 * 2**mail.attempts))
        logger.warning("mail %s to %s failed, tried again later: %s", mail.pk, mail.to, exc)
    mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])


class InProcessSender(BackgroundLoop):
    """On the embedded default: the outbox drained on the server's event loop, woken by each
    queued mail and by a slow poll (retries, other processes' mail)."""

    def wanted(self) -> bool:
        return settings.CELERY_TASK_ALWAYS_EAGER

    async def _run(self) -> None:
        send = sync_to_async(in_own_connections(outbox_send), thread_sensitive=False)
        while True:
            self._wake.clear()
            try:
                await send()
            except Exception:
                logger.exception("the mail outbox could not be drained; it keeps its mail")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)


in_process_sender = InProcessSender()


@shared_task(acks_late=True)
def send_outgoing_mail() -> int:
    # Idempotent: the outbox records what left; a redelivered task finds nothing due.
    return outbox_send()


def wake_mail_sender() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        in_process_sender.wake()
    else:
        send_outgoing_mail.delay()
