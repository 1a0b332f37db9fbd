"""Background work: thin, idempotent wrappers over the indexer.

Every write that matters to matching lands in the durable change log first; these tasks only
drain it, so a retry, a redelivery after a worker died, or a lost nudge changes nothing: the
next drain applies what is there, each change once.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import OperationalError

from backend.matches import indexing, services
from backend.matches.worker import background

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 8,
    "acks_late": True,
}
# Documents past their organisation's budget wait this long before the next try.
DEFERRED_RETRY_SECONDS = 20


@shared_task(**RETRY)
def drain_document_changes() -> int:
    report = indexing.drain()
    if report.deferred:
        drain_document_changes.apply_async(countdown=DEFERRED_RETRY_SECONDS)
    return report.applied


@shared_task(**RETRY)
def rebuild_index() -> int:
    return indexing.index_rebuild().applied


@shared_task(**RETRY)
def reconcile_index() -> int:
    stale = indexing.index_reconcile()
    drain_document_changes.delay()
    return stale


@shared_task(**RETRY)
def remind_overdue_answers() -> int:
    return services.matches_remind_overdue()


def wake_indexer(**kwargs) -> None:
    """After a change commits: the embedded default's in-process indexer, or a Celery worker."""
    if settings.MATCHING_INDEXER_IN_PROCESS:
        background.wake()
    else:
        drain_document_changes.delay()


@worker_ready.connect
def reconcile_on_start(**kwargs) -> None:
    """A worker that starts catches up on anything logged while no broker or worker was up."""
    reconcile_index.delay()
