"""Redis restarts under a running platform: queued work still completes.

This test restarts Redis, so it runs its own redis-server (the machine's binary, with an
append-only file like docker/compose.yaml's) rather than the shared service.
"""

from __future__ import annotations

import shutil
import signal
import time

import pytest
import redis

from tests.distributed.conftest import (
    Api,
    add_startup,
    indexed_names,
    require_real_services,
    running_stack,
    wait_for,
)
from tests.servers import Process, free_port

pytestmark = [pytest.mark.services, pytest.mark.slow]


class RedisServer:
    def __init__(self, tmp) -> None:
        self.tmp, self.port = tmp, free_port()
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = Process(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.tmp),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            {},
            self.tmp / "redis.log",
        )
        wait_for(self.ping, 20, "redis to start")

    def ping(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill(signal.SIGTERM)  # a clean shutdown flushes the append-only file
            self.process.stop()


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    require_real_services()
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def test_queued_work_completes_across_a_redis_restart(own_redis, tmp_path, django_db_blocker):
    with running_stack(tmp_path, own_redis.url, django_db_blocker, webs=1) as stack:
        web = Api(stack.webs[0].url)
        summary = " ".join(f"Sentence {n} on hydrogen fuel cells and stacks." for n in range(30))
        before = [f"Before{i}" for i in range(4)]
        for name in before:
            add_startup(web, name, summary + f" {name}.", [f"{name} fuel cell stacks"])
        own_redis.stop()
        time.sleep(1)
        own_redis.start()
        after = [f"After{i}" for i in range(2)]
        for name in after:
            add_startup(web, name, summary + f" {name}.", [f"{name} fuel cell stacks"])
        wait_for(lambda: indexed_names(stack, "Before") == set(before), 180, "queued work")
        wait_for(lambda: indexed_names(stack, "After") == set(after), 60, "new work")
        assert stack.webs[0].popen.poll() is None and stack.workers[0].popen.poll() is None
