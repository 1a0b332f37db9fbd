"""Chat benchmark: many WebSocket clients in many conversations against one server process.

    python tests/perf/bench_chat.py [--conversations 500] [--interval 20] [--duration 60]

One uvicorn process serves the platform's ASGI app with the Redis channel layer (REDIS_URL, by
default redis://127.0.0.1:6379/0, of which the benchmark uses database 5). Two clients per
conversation (the firm's and the startup's member, signed in by session cookie) each send one
message every `--interval` seconds for `--duration` seconds, starting at random offsets. Every
message must reach both sockets of its conversation (the sender's own included): a single one
missing is a failure, and the script exits non-zero.

Beside it, in the same run and under the same load, the baseline: uvicorn serving a minimal ASGI
relay (no Django, no database, no channel layer) that acks each frame and echoes it to the sockets
of the same path. The ratio of the two is what the platform's stack costs.

Uses DATABASE_URL if set (PostgreSQL: a throwaway database on that server), else a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from tests.servers import (  # noqa: E402
    Server,
    manage,
    server_env,
    throwaway_database,
)

# -- the baseline: a minimal relay, served by the same uvicorn ------------------------------

ROOMS: dict[str, set[asyncio.Queue]] = defaultdict(set)


async def relay_app(scope, receive, send):
    """Acks each `send` frame and echoes it as a `message` to every socket of the same path."""
    if scope["type"] == "lifespan":
        while True:
            event = await receive()
            await send({"type": event["type"] + ".complete"})
            if event["type"] == "lifespan.shutdown":
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    room, outbox = ROOMS[scope["path"]], asyncio.Queue()
    room.add(outbox)

    async def pump() -> None:
        while True:
            await send({"type": "websocket.send", "text": await outbox.get()})

    writer = asyncio.create_task(pump())
    seq = 0
    try:
        while (event := await receive())["type"] == "websocket.receive":
            frame = json.loads(event["text"])
            seq += 1
            outbox.put_nowait(
                json.dumps({"type": "ack", "client_msg_id": frame["client_msg_id"], "seq": seq})
            )
            message = json.dumps({"type": "message", "message": {"seq": seq, **frame}})
            for member in room:
                member.put_nowait(message)
    finally:
        room.discard(outbox)
        writer.cancel()


# -- the load -------------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0
    acked: int = 0
    errors: list = field(default_factory=list)
    deliveries: dict = field(default_factory=lambda: defaultdict(int))  # (conv, id) -> count
    latencies_ms: list = field(default_factory=list)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def client(
    ws: ClientConnection, conversation: int, name: str, args, tally: Tally, stop_at: float
) -> asyncio.Task:
    """Sends at a steady rate until `stop_at`; returns the task still reading the socket."""

    async def read() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    body = frame["message"]["body"]
                    tally.deliveries[(conversation, frame["message"]["client_msg_id"])] += 1
                    sent_at = float(body.split("@", 1)[1])
                    tally.latencies_ms.append((time.time() - sent_at) * 1000)
                elif frame["type"] == "ack":
                    tally.acked += 1
                elif frame["type"] == "error":
                    tally.errors.append(frame["error"])

    reader = asyncio.create_task(read())
    await asyncio.sleep(random.uniform(0, args.interval))
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        frame = {"type": "send", "client_msg_id": f"{name}-{n}", "body": f"hello@{time.time()}"}
        await ws.send(json.dumps(frame))
        tally.sent += 1
        await asyncio.sleep(args.interval)
    return reader


async def run_load(server_port: int, pid: int, seed: dict, args, paths) -> dict:
    """Connect everyone, measure memory, send for `duration`, wait for every delivery."""
    tally = Tally()
    sockets: list[tuple[ClientConnection, int, str]] = []
    semaphore = asyncio.Semaphore(50)

    def opening(conversation: dict, side: str):
        return connect(
            f"ws://127.0.0.1:{server_port}{paths(conversation['id'])}",
            origin=f"http://127.0.0.1:{server_port}",
            additional_headers={"Cookie": f"sessionid={conversation[side]['session']}"},
            proxy=None,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
        )

    async def open_one(conversation: dict, side: str) -> None:
        async with semaphore:
            ws = await opening(conversation, side)
            sockets.append((ws, conversation["id"], f"{side}{conversation['id']}"))

    # One socket first, so that what the first connection loads is not counted per connection.
    async with opening(seed["conversations"][0], "firm"):
        pass
    await asyncio.sleep(0.5)
    rss_before = rss_kib(pid)
    started = time.monotonic()
    await asyncio.gather(
        *(open_one(c, side) for c in seed["conversations"] for side in ("firm", "startup"))
    )
    connect_s = time.monotonic() - started
    await asyncio.sleep(1)
    held = sum(1 for ws, _, _ in sockets if ws.state.name == "OPEN")
    rss_after = rss_kib(pid)

    stop_at = time.monotonic() + args.duration
    readers = await asyncio.gather(
        *(client(ws, conv, name, args, tally, stop_at) for ws, conv, name in sockets)
    )
    expected = 2 * tally.sent
    deadline = time.monotonic() + args.drain
    while sum(tally.deliveries.values()) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)  # anything late or doubled shows up now
    for ws, _, _ in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()
    delivered = sum(tally.deliveries.values())
    latencies = sorted(tally.latencies_ms)
    return {
        "connections": held,
        "connect_s": connect_s,
        "sent": tally.sent,
        "acked": tally.acked,
        "delivered": delivered,
        "expected": expected,
        "duplicates": sum(count - 2 for count in tally.deliveries.values() if count > 2),
        "errors": len(tally.errors),
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "kib_per_connection": (rss_after - rss_before) / max(held, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--interval", type=float, default=20.0, help="seconds between sends")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for stragglers")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/5"

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    with throwaway_database(tmp) as database_url:
        args.database = database_url.split(":", 1)[0]
        env = server_env(database_url, tmp, REDIS_URL=redis_url, TASKS_INLINE="1")
        env["LOG_LEVEL"] = "WARNING"
        print(f"migrating and seeding {args.conversations} conversations ...", flush=True)
        manage(env, "migrate", "--noinput")
        printed = manage(
            env,
            "shell",
            "-c",
            f"from tests.chat.live_seed import main; main({args.conversations})",
            timeout=1800,
        )
        seed = json.loads(printed.strip().splitlines()[-1])

        results = {}
        platform = Server(env, tmp / "platform.log").wait_ready()
        try:
            print("load on the platform ...", flush=True)
            results["platform (Django + Channels + Redis)"] = asyncio.run(
                run_load(platform.port, platform.popen.pid, seed, args, lambda c: f"/ws/chat/{c}/")
            )
        finally:
            platform.stop()

        relay = Server(env, tmp / "relay.log", app="tests.perf.bench_chat:relay_app")
        try:
            relay.wait_ready()
            print("load on the baseline relay ...", flush=True)
            results["baseline: minimal ASGI relay"] = asyncio.run(
                run_load(relay.port, relay.popen.pid, seed, args, lambda c: f"/relay/{c}/")
            )
        finally:
            relay.stop()

    report(results, args)
    platform_result = results["platform (Django + Channels + Redis)"]
    lost = platform_result["expected"] - platform_result["delivered"]
    if lost or platform_result["duplicates"] or platform_result["errors"]:
        raise SystemExit(
            f"FAILED: {lost} lost, {platform_result['duplicates']} duplicated, "
            f"{platform_result['errors']} error frames"
        )


def report(results: dict, args) -> None:
    rows = [
        ("connections held", "connections", "{:.0f}"),
        ("connect all (s)", "connect_s", "{:.1f}"),
        ("messages sent", "sent", "{:.0f}"),
        ("acks", "acked", "{:.0f}"),
        ("deliveries expected", "expected", "{:.0f}"),
        ("deliveries made", "delivered", "{:.0f}"),
        ("duplicates", "duplicates", "{:.0f}"),
        ("p50 delivery latency (ms)", "p50_ms", "{:.1f}"),
        ("p99 delivery latency (ms)", "p99_ms", "{:.1f}"),
        ("server memory per connection (KiB)", "kib_per_connection", "{:.0f}"),
    ]
    names = list(results)
    print()
    print(
        f"{args.conversations} conversations, {2 * args.conversations} clients, one message per "
        f"client every {args.interval:g} s for {args.duration:g} s; database: {args.database}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print()
    print("| | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for label, key, fmt in rows:
        print(f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |")
    base = results[names[-1]]
    platform = results[names[0]]
    print()
    ratios = {
        key: platform[key] / max(base[key], 1e-9)
        for key in ("p50_ms", "p99_ms", "kib_per_connection")
    }
    print(
        f"against the baseline: p50 x{ratios['p50_ms']:.1f}, p99 x{ratios['p99_ms']:.1f}, "
        f"memory per connection x{ratios['kib_per_connection']:.1f}"
    )


if __name__ == "__main__":
    main()
