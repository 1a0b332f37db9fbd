"""Redis restarts under a running platform: queued work still completes, chat reconnects.

This test restarts Redis, so it runs its own redis-server (the machine's binary, with an
append-only file like docker/compose.yaml's) rather than the shared service.
"""

from __future__ import annotations

import json
import shutil
import signal
import time

import pytest
import redis

from tests.chat.live import Reader, send, socket
from tests.distributed.stack import (
    Api,
    add_startup,
    indexed_names,
    require_real_services,
    running_stack,
    wait_for,
)
from tests.servers import Process, free_port, manage

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


@pytest.fixture(scope="module")
def stack(own_redis, tmp_path_factory, django_db_blocker):
    with running_stack(
        tmp_path_factory.mktemp("stack"), own_redis.url, django_db_blocker, webs=1
    ) as stack:
        yield stack


def restart(redis_server: RedisServer) -> None:
    redis_server.stop()
    time.sleep(1)
    redis_server.start()


def test_queued_work_completes_across_a_redis_restart(own_redis, stack):
    web = Api(stack.webs[0].url, inbox=stack.inbox)
    summary = " ".join(f"Sentence {n} on hydrogen fuel cells and stacks." for n in range(30))
    before = [f"Before{i}" for i in range(4)]
    for name in before:
        add_startup(web, name, summary + f" {name}.", [f"{name} fuel cell stacks"])
    restart(own_redis)
    after = [f"After{i}" for i in range(2)]
    for name in after:
        add_startup(web, name, summary + f" {name}.", [f"{name} fuel cell stacks"])
    wait_for(lambda: indexed_names(stack, "Before") == set(before), 180, "queued work")
    wait_for(lambda: indexed_names(stack, "After") == set(after), 60, "new work")
    assert stack.webs[0].popen.poll() is None and stack.workers[0].popen.poll() is None


async def test_chat_reconnects_across_a_redis_restart_without_loss_or_duplicates(own_redis, stack):
    seeded = json.loads(
        manage(stack.env, "shell", "-c", "from tests.chat.live_seed import main; main(1)")
        .strip()
        .splitlines()[-1]
    )["conversations"][0]
    server, path = stack.webs[0], f"/ws/chat/{seeded['id']}/"
    startup_seen: list[dict] = []

    async def exchange(tag: str, count: int) -> None:
        async with (
            socket(server, path, seeded["firm"]["session"]) as firm_ws,
            socket(server, path, seeded["startup"]["session"]) as startup_ws,
        ):
            startup = Reader(startup_ws)
            after = startup_seen[-1]["seq"] if startup_seen else 0
            await startup_ws.send(json.dumps({"type": "resume", "after_seq": after}))
            await startup.wait_for(lambda r: r.of("resumed"))
            for i in range(count):
                await send(firm_ws, f"{tag}-{i}")
            await startup.wait_for(lambda r: len(r.of("message")) == count, timeout=30)
            startup_seen.extend(frame["message"] for frame in startup.of("message"))
            await startup.stop()

    await exchange("before", 3)
    restart(own_redis)
    await exchange("after", 3)
    assert [m["seq"] for m in startup_seen] == [1, 2, 3, 4, 5, 6]
    assert [m["body"] for m in startup_seen] == [
        "before-0",
        "before-1",
        "before-2",
        "after-0",
        "after-1",
        "after-2",
    ]
