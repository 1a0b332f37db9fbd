"""On the embedded default, the daily digests leave from the server itself at DIGEST_HOUR
(Celery beat sends them otherwise). Several processes may run this: a digest is mailed once."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from backend.common.background import BackgroundLoop, in_own_connections
from backend.notifications.services import digests_send

logger = logging.getLogger(__name__)


def seconds_until(hour: int, now: datetime) -> float:
    """From `now` (aware) to the next `hour` o'clock in the site's time zone."""
    local = timezone.localtime(now)
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return (target - local).total_seconds()


class DailyDigests(BackgroundLoop):
    def wanted(self) -> bool:
        return settings.CELERY_TASK_ALWAYS_EAGER

    async def _run(self) -> None:
        send = sync_to_async(in_own_connections(digests_send), thread_sensitive=False)
        while True:
            await asyncio.sleep(seconds_until(settings.DIGEST_HOUR, timezone.now()))
            try:
                logger.info("daily digests: %d queued", await send())
            except Exception:
                logger.exception("the daily digests failed; the next run catches up")


daily_digests = DailyDigests()
