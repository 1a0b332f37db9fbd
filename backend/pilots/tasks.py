from __future__ import annotations

from celery import shared_task

from backend.matches.tasks import RETRY
from backend.pilots.services import pilots_alert


@shared_task(**RETRY)
def alert_pilots() -> int:
    return pilots_alert()
