"""On the embedded default, the hourly jobs run inside the server, in a worker thread (Celery beat
schedules the same jobs as tasks otherwise). The jobs are given where the server is put together
(`backend/config/asgi.py`), so this loop imports no app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.conf import settings

from backend.common.background import BackgroundLoop, in_own_connections

logger = logging.getLogger(__name__)

HOUR_SECONDS = 3600


class HourlyJobs(BackgroundLoop):
    def __init__(self, *jobs: Callable[[], object]) -> None:
        super().__init__()
        self.jobs = jobs

    def wanted(self) -> bool:
        return settings.CELERY_TASK_ALWAYS_EAGER

    def run_once(self) -> None:
        for job in self.jobs:
            try:
                job()
            except Exception:
                logger.exception("the hourly job %s failed; it runs again in an hour", job.__name__)

    async def _run(self) -> None:
        run = sync_to_async(in_own_connections(self.run_once), thread_sensitive=False)
        while True:
            await run()
            await asyncio.sleep(HOUR_SECONDS)
