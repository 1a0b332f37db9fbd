"""Background work: thin, idempotent wrappers over the matches services.

Enqueued after commit. Re-running one changes nothing new (content hashes skip re-encoding,
proposals update in place), so a retry or a redelivery after a worker died is harmless.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready
from django.db import OperationalError

from backend.matches import services
from backend.matches.models import Side
from backend.programs.models import Challenge
from backend.startups.models import StartupProfile

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(**RETRY)
def index_and_propose_challenge(challenge_id: int) -> int:
    services.document_index(side=Side.CHALLENGE, owner_id=challenge_id)
    challenge = Challenge.objects.filter(pk=challenge_id).first()
    return services.matches_propose_for_challenge(challenge=challenge) if challenge else 0


@shared_task(**RETRY)
def index_and_propose_profile(profile_id: int) -> int:
    services.document_index(side=Side.STARTUP, owner_id=profile_id)
    profile = StartupProfile.objects.filter(pk=profile_id).first()
    return services.matches_propose_for_profile(profile=profile) if profile else 0


@shared_task(**RETRY)
def rebuild_index() -> int:
    return services.index_rebuild()


@shared_task(**RETRY)
def reconcile_index() -> int:
    return services.index_reconcile()


@worker_ready.connect
def reconcile_on_start(**kwargs) -> None:
    """A worker that starts catches up on anything indexed while no broker or worker was up."""
    reconcile_index.delay()
