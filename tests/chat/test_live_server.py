"""The chat over real sockets: the ASGI app under uvicorn in its own process, on its own
database, and the `websockets` client over loopback."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request
from dataclasses import dataclass

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidStatus

from tests.chat.live import Reader, close_code, next_frame, send, socket
from tests.servers import Server, manage, server_env, throwaway_database

CONVERSATIONS = 4  # one per test that sends, so rate limits and seqs never mix


def redis_for_servers() -> str | None:
    """REDIS_URL with a database index of its own, so nothing else on that Redis mixes in."""
    redis_url = os.environ.get("REDIS_URL", "")
    return redis_url.rsplit("/", 1)[0] + "/6" if redis_url else None


@dataclass
class Live:
    env: dict[str, str]
    server: Server
    seed: dict
    tmp: object

    def side(self, index: int, side: str) -> dict:
        return self.seed["conversations"][index][side]

    def conversation(self, index: int) -> int:
        return self.seed["conversations"][index]["id"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chat-live")
    redis_url = redis_for_servers()
    extra = {"TASKS_INLINE": "1", "LOG_LEVEL": "WARNING"}
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        extra["REDIS_URL"] = redis_url
    with throwaway_database(tmp) as database_url:
        env = server_env(database_url, tmp, **extra)
        if not redis_url:
            env.pop("REDIS_URL", None)
        manage(env, "migrate", "--noinput")
        printed = manage(
            env, "shell", "-c", f"from tests.chat.live_seed import main; main({CONVERSATIONS})"
        )
        seed = json.loads(printed.strip().splitlines()[-1])
        server = Server(env, tmp / "web-1.log").wait_ready()
        try:
            yield Live(env, server, seed, tmp)
        finally:
            server.stop()


def chat_path(live: Live, index: int) -> str:
    return f"/ws/chat/{live.conversation(index)}/"


def http(live: Live, method: str, path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        live.server.url + path, method=method, headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


# -- the tests -----------------------------------------------------------------------------


async def test_two_people_chat_live_through_a_real_server(live):
    firm_side, startup_side = live.side(0, "firm"), live.side(0, "startup")
    async with (
        socket(live.server, chat_path(live, 0), firm_side["session"]) as firm_ws,
        socket(live.server, chat_path(live, 0), startup_side["session"]) as startup_ws,
    ):
        firm, startup = Reader(firm_ws), Reader(startup_ws)
        for i in range(3):
            await send(firm_ws, f"f-{i}")
            await send(startup_ws, f"s-{i}")
        await firm.wait_for(lambda r: len(r.of("message")) == 6 and len(r.of("ack")) == 3)
        await startup.wait_for(lambda r: len(r.of("message")) == 6 and len(r.of("ack")) == 3)
        assert firm.seqs() == startup.seqs() == [1, 2, 3, 4, 5, 6]
        assert firm.of("message") == startup.of("message")
        assert sorted(a["seq"] for a in firm.of("ack") + startup.of("ack")) == [1, 2, 3, 4, 5, 6]

        await send(firm_ws, "f-last")  # the startup has not read it: its read state moves
        await startup.wait_for(lambda r: len(r.of("message")) == 7)
        await firm_ws.send(json.dumps({"type": "typing"}))
        await startup_ws.send(json.dumps({"type": "read", "seq": 7}))
        await startup.wait_for(lambda r: r.of("typing"))
        await firm.wait_for(lambda r: r.of("read"))
        assert startup.of("typing")[0]["user"]["id"] == firm_side["user"]
        assert firm.of("read")[0] == {"type": "read", "user": startup_side["user"], "seq": 7}
        await firm.stop()
        await startup.stop()

    status, page = await asyncio.to_thread(
        http,
        live,
        "GET",
        f"/api/conversations/{live.conversation(0)}/messages/",
        firm_side["token"],
    )
    assert status == 200
    assert [m["seq"] for m in page["results"]] == [1, 2, 3, 4, 5, 6, 7]
    assert page["results"] == [frame["message"] for frame in firm.of("message")]


async def test_an_api_client_opens_a_socket_with_a_single_use_ticket(live):
    token = live.side(1, "startup")["token"]
    status, body = await asyncio.to_thread(http, live, "POST", "/api/ws-ticket/", token)
    assert status == 201
    path = f"{chat_path(live, 1)}?ticket={body['ticket']}"
    async with socket(live.server, path) as ws:
        await send(ws, "t-1")
        frames = [await next_frame(ws), await next_frame(ws)]
        assert {"type": "ack", "client_msg_id": "t-1", "seq": 1} in frames
    async with socket(live.server, path) as again:
        assert await close_code(again) == 4401


async def test_refusals_over_the_wire(live):
    outsider = live.seed["outsider"]["session"]
    async with socket(live.server, chat_path(live, 1)) as anonymous:
        assert await close_code(anonymous) == 4401
    async with socket(live.server, chat_path(live, 1), outsider) as stranger:
        assert await close_code(stranger) == 4404
    async with socket(live.server, "/ws/chat/999999/", outsider) as unknown:
        assert await close_code(unknown) == 4404
    session = live.side(1, "firm")["session"]
    with pytest.raises(InvalidStatus) as refused:
        async with socket(live.server, chat_path(live, 1), session, "http://evil.example"):
            pass
    assert refused.value.response.status_code == 403


async def test_a_client_that_reconnects_with_resume_sees_every_message_once_in_order(live):
    firm_side, startup_side = live.side(2, "firm"), live.side(2, "startup")
    path = chat_path(live, 2)
    async with socket(live.server, path, firm_side["session"]) as firm_ws:
        firm = Reader(firm_ws)
        startup_ws = await socket(live.server, path, startup_side["session"])
        startup = Reader(startup_ws)
        for i in range(5):
            await send(firm_ws, f"before-{i}")
        await startup.wait_for(lambda r: len(r.of("message")) == 5)
        seen = [frame["message"] for frame in startup.of("message")]

        # The network drops the startup's socket; the firm goes on talking.
        startup_ws.transport.abort()
        await startup.stop()
        for i in range(8):
            await send(firm_ws, f"away-{i}")
        await firm.wait_for(lambda r: len(r.of("ack")) == 13)

        async with socket(live.server, path, startup_side["session"]) as back_ws:
            back = Reader(back_ws)
            await back_ws.send(json.dumps({"type": "resume", "after_seq": seen[-1]["seq"]}))
            for i in range(7):  # while the replay runs, and after it
                await send(firm_ws, f"during-{i}")
                await asyncio.sleep(0.005)
            await back.wait_for(lambda r: r.seqs() and r.seqs()[-1] == 20 and r.of("resumed"))
            seen += [frame["message"] for frame in back.of("message")]
            await back.stop()
        await firm.wait_for(lambda r: len(r.of("ack")) == 20)
        await firm.stop()

    assert [message["seq"] for message in seen] == list(range(1, 21))
    expected = [f"before-{i}" for i in range(5)] + [f"away-{i}" for i in range(8)]
    assert [message["body"] for message in seen] == expected + [f"during-{i}" for i in range(7)]
    assert sorted(ack["seq"] for ack in firm.of("ack")) == list(range(1, 21))


@pytest.mark.services
async def test_two_server_processes_share_redis(live):
    if not redis_for_servers():
        pytest.skip("needs Redis (REDIS_URL) for a channel layer shared by two processes")
    second = Server(live.env, live.tmp / "web-2.log")
    await asyncio.to_thread(second.wait_ready)
    firm_side, startup_side = live.side(3, "firm"), live.side(3, "startup")
    path = chat_path(live, 3)
    try:
        async with (
            socket(live.server, path, firm_side["session"]) as firm_ws,
            socket(second, path, startup_side["session"]) as startup_ws,
            socket(second, "/ws/notifications/", firm_side["session"]) as bell_ws,
        ):
            firm, startup, bell = Reader(firm_ws), Reader(startup_ws), Reader(bell_ws)

            async def talk(ws: ClientConnection, prefix: str) -> None:
                for i in range(10):
                    await send(ws, f"{prefix}-{i}")

            await asyncio.gather(talk(firm_ws, "one"), talk(startup_ws, "two"))
            for reader in (firm, startup):
                await reader.wait_for(
                    lambda r: len(r.of("message")) == 20 and len(r.of("ack")) == 10
                )
            await bell.wait_for(lambda r: len(r.of("notification")) == 10)
            for reader in (firm, startup, bell):
                await reader.stop()
    finally:
        await asyncio.to_thread(second.stop)

    assert firm.seqs() == startup.seqs() == list(range(1, 21))
    assert firm.of("message") == startup.of("message")
    assert sorted(a["seq"] for a in firm.of("ack") + startup.of("ack")) == list(range(1, 21))
    bodies = [frame["message"]["body"] for frame in firm.of("message")]
    assert [b for b in bodies if b.startswith("one")] == [f"one-{i}" for i in range(10)]
    assert [b for b in bodies if b.startswith("two")] == [f"two-{i}" for i in range(10)]
    events = [frame["event"] for frame in bell.of("notification")]
    assert {e["type"] for e in events} == {"message.new"}
    assert [e["preview"] for e in events] == [f"two-{i}" for i in range(10)]
