"""Matching's background life inside a server process, started by the ASGI lifespan.

Every process warms up first: the model loads and the search spaces are built before the first
user needs them (`/healthz` says `warming` until then), and what that built is frozen out of the
garbage collector's walks. On the embedded default the same task
then runs the indexer, on the server's event loop, with the drain itself in a
worker thread (its own database connections, closed after each run), woken by each committed
change and by a slow poll that catches changes logged by other processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings

from backend.common.background import BackgroundLoop, in_own_connections
from backend.matches import engine
from backend.matches.indexing import drain
from backend.matches.models import Side

logger = logging.getLogger(__name__)

POLL_SECONDS = 15
RETRY_SECONDS = 5


class BackgroundMatching(BackgroundLoop):
    def __init__(self) -> None:
        super().__init__()
        self.state = "idle"  # idle -> warming -> ready

    def start(self) -> None:
        self.state = "warming"
        super().start()

    async def _run(self) -> None:
        while self.state != "ready":
            try:
                await sync_to_async(in_own_connections(_warm), thread_sensitive=False)()
                self.state = "ready"
            except Exception:
                logger.exception("matching could not warm up; trying again")
                await asyncio.sleep(RETRY_SECONDS)
        if not settings.MATCHING_INDEXER_IN_PROCESS:
            return
        drain = sync_to_async(in_own_connections(_drain), thread_sensitive=False)
        while True:
            self._wake.clear()
            try:
                await drain()
            except Exception:
                logger.exception("the indexer failed; the change log keeps what is left")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)


def _warm() -> None:
    started = time.monotonic()
    engine.embedder().encode_all(["warm-up"])
    spaces = {side: engine.registry.space(side) for side in Side.values}
    # What start-up and the warm-up built (Django, the model, the search spaces) mostly lives as
    # long as the process: out of the cyclic collector's reach, a full collection no longer walks
    # it while sockets wait (500 ms pauses at 1,000 sockets, 150 ms after). A part that is
    # replaced later is still freed by its reference count.
    gc.freeze()
    logger.info(
        "matching is ready in %.1f s: %d challenges and %d startups indexed (from the %s)",
        time.monotonic() - started,
        len(spaces[Side.CHALLENGE]),
        len(spaces[Side.STARTUP]),
        " and the ".join(sorted(set(engine.registry.loaded_from.values()))),
    )
    if engine.engine_config().multilingual and not all(s.bilingual for s in spaces.values()):
        logger.warning(
            "some documents have no multilingual vectors yet: Chinese and English documents "
            "do not find each other until `manage.py rebuild_index` has embedded them"
        )


def _drain() -> None:
    report = drain()
    if report.applied or report.failed:
        logger.info("indexer: %s", report)


background = BackgroundMatching()


async def lifespan(scope, receive, send) -> None:
    """The ASGI lifespan protocol: start the background work with the server, stop it after."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            background.start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await background.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return
