"""Chat benchmark: the platform's chat beside a minimal relay, at 500 and 1,000 WebSocket clients.

    python tests/perf/bench_chat.py [--clients 500,1000] [--rate 50] [--duration 60]
                                    [--saturation-duration 20] [--window 1] [--quick]

For each number of clients (two per conversation: the firm's and the startup's member, signed
in by session cookie) and for each server, in the same run and under the same conditions, a
fresh uvicorn process is started and measured in two phases:

1. Open loop: `--rate` messages/s in total, spread evenly over all clients (each client sends
   every clients/rate seconds, from a random offset), for `--duration` seconds. Latency is from
   the send to each delivery (both sockets of the conversation, the sender's own included).
2. Saturation, closed loop: every client sends its next message as soon as its previous one is
   acked (`--window` messages outstanding per client) for `--saturation-duration` seconds after
   a short warm-up; throughput is the messages delivered to both sockets within that window, per
   second. A `rate_limited` answer is resent after a second with the same `client_msg_id`, as the
   protocol asks, and counted.

Around each phase the benchmark reads the server process's CPU time (utime + stime in
/proc/<pid>/stat: every thread of the uvicorn process, nothing of PostgreSQL's or Redis's own),
the counts of `tests/perf/counted_platform.py` (what the process asked of the database and of
Redis: statements, round trips, commands) and Redis's `total_commands_processed` (all clients of
that Redis server, so also whatever else runs on it); each difference is divided by the messages
sent in the phase, so it covers everything those messages cost, delivery and acks included.

Every message must be acked once and delivered exactly once to each of the two sockets of its
conversation, in `seq` order, with the seq of its ack; nothing may reach a socket of another
conversation, no `error` frame may come and no socket may be closed by the server. Anything else
fails the run (exit status 1). The bar of the chat's issue is printed beside the figures; missing
it does not fail the run: this is a benchmark, not a test.

The baseline (`tests/perf/chat_relay.py`) is uvicorn serving a minimal ASGI relay: no Django, no
database, no channel layer. The ratio of the two is what the platform's stack costs; the relay's
saturation is bounded by this one load-generating process (its CPU is printed).

Uses DATABASE_URL if set (PostgreSQL: a throwaway database created on that server and dropped at
the end; the database named in DATABASE_URL is not touched), else a SQLite file. Redis: REDIS_URL's
server (default redis://127.0.0.1:6379/0), database 5, emptied first, for the channel layer and
the cache alike.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from tests.servers import Server, manage, server_env, throwaway_database  # noqa: E402

SERVERS = {
    "platform": ("tests.perf.counted_platform:application", "/ws/chat/{}/"),
    "relay": ("tests.perf.chat_relay:application", "/relay/{}/"),
}
SIDES = ("firm", "startup")
SEND_OUTBOX = """
from backend.accounts.mail import outbox_send
while outbox_send():
    pass
"""
BAR = (
    "bar: p99 <= 50 ms and p50 <= 5x relay at 1,000 sockets, 50 msg/s; >= 400 msg/s at "
    "saturation; every message delivered once (PostgreSQL + Redis, one process)"
)
NO_COUNTS = {"db_statements": 0, "db_round_trips": 0, "redis_round_trips": 0, "redis_commands": 0}


# -- what the server process spends ---------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Meter:
    """Reads, before and after a phase, what the server and this process have spent."""

    pid: int
    counts_url: str | None
    redis_url: str

    def _read(self) -> dict:
        counts = NO_COUNTS
        if self.counts_url:
            with urllib.request.urlopen(self.counts_url, timeout=10) as response:
                counts = json.loads(response.read())
        client_times = os.times()
        return {
            "server_cpu_s": cpu_seconds(self.pid),
            "client_cpu_s": client_times.user + client_times.system,
            "redis_server_commands": redis.Redis.from_url(self.redis_url).info("stats")[
                "total_commands_processed"
            ],
            **counts,
        }

    async def read(self) -> dict:
        return await asyncio.to_thread(self._read)


def spent(before: dict, after: dict, messages: int, seconds: float) -> dict:
    def per_message(key: str, scale: float = 1.0):
        if before[key] is None or after[key] is None:
            return None
        return (after[key] - before[key]) * scale / max(messages, 1)

    return {
        "server_cpu_ms": per_message("server_cpu_s", 1000),
        "db_statements": per_message("db_statements"),
        "db_round_trips": per_message("db_round_trips"),
        "redis_round_trips": per_message("redis_round_trips"),
        "redis_server_commands": per_message("redis_server_commands"),
        "server_cpu_pct": 100 * (after["server_cpu_s"] - before["server_cpu_s"]) / seconds,
        "client_cpu_pct": 100 * (after["client_cpu_s"] - before["client_cpu_s"]) / seconds,
    }


# -- the clients ----------------------------------------------------------------------------


@dataclass
class Sent:
    conversation: int
    phase: str
    at: float
    got: Counter = field(default_factory=Counter)  # socket name -> deliveries
    acks: int = 0
    ack_seq: int | None = None
    seqs: set = field(default_factory=set)  # the seqs it was delivered with
    done_at: float | None = None  # when the second socket got it


@dataclass
class Sock:
    ws: ClientConnection
    conversation: int
    name: str
    last_seq: int | None = None
    out_of_order: int = 0
    waiting: dict = field(default_factory=dict)  # client_msg_id -> future of the answer
    sent: int = 0


class Session:
    """The sockets of one server, the messages they send and everything they receive."""

    def __init__(self, args) -> None:
        self.args = args
        self.socks: list[Sock] = []
        self.sent: dict[str, Sent] = {}
        self.latencies_ms: dict[str, list[float]] = {}
        self.strays = 0
        self.rate_limited = 0
        self.errors: list = []
        self.closed_by_server = 0
        self.closing = False
        self.readers: list[asyncio.Task] = []
        self.heard_at = time.perf_counter()  # the last frame from the server
        # Every run stores into the same database: a `client_msg_id` sent again would be a
        # resend (acked with the stored seq, delivered to nobody), so each session has its own.
        self.run = uuid.uuid4().hex[:8]

    def on_frame(self, sock: Sock, frame: dict, now: float) -> None:
        self.heard_at = now
        kind = frame.get("type")
        if kind == "message":
            message = frame["message"]
            record = self.sent.get(message.get("client_msg_id"))
            if record is None or record.conversation != sock.conversation:
                self.strays += 1
                return
            record.got[sock.name] += 1
            seq = message["seq"]
            record.seqs.add(seq)
            if record.got[sock.name] == 1:
                self.latencies_ms[record.phase].append((now - record.at) * 1000)
            if sock.last_seq is not None and seq != sock.last_seq + 1:
                sock.out_of_order += 1
            sock.last_seq = seq
            if record.done_at is None and len(record.got) == 2:
                record.done_at = now
        elif kind == "ack":
            record = self.sent.get(frame["client_msg_id"])
            if record is None:
                self.strays += 1
                return
            record.acks += 1
            record.ack_seq = frame["seq"]
            self._answer(sock, frame["client_msg_id"], "ack")
        elif kind == "error":
            ref = frame.get("client_msg_id")
            if frame["error"]["code"] == "rate_limited" and ref in sock.waiting:
                self.rate_limited += 1
                self._answer(sock, ref, "rate_limited")
            else:
                self.errors.append(frame["error"])
                self._answer(sock, ref, "error")

    @staticmethod
    def _answer(sock: Sock, ref, outcome: str) -> None:
        future = sock.waiting.pop(ref, None)
        if future is not None and not future.done():
            future.set_result(outcome)

    async def _read(self, sock: Sock) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in sock.ws:
                self.on_frame(sock, json.loads(raw), time.perf_counter())
        if not self.closing:
            self.closed_by_server += 1

    async def connect(self, port: int, path: str, conversations: list[dict]) -> None:
        semaphore = asyncio.Semaphore(50)

        def opening(conversation: dict, side: str):
            return connect(
                f"ws://127.0.0.1:{port}{path.format(conversation['id'])}",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={conversation[side]['session']}"},
                proxy=None,
                open_timeout=120,
                ping_interval=None,
                max_queue=None,
            )

        async def open_one(conversation: dict, side: str) -> None:
            async with semaphore:
                ws = await opening(conversation, side)
            sock = Sock(ws, conversation["id"], f"{side}{conversation['id']}")
            self.socks.append(sock)
            self.readers.append(asyncio.create_task(self._read(sock)))

        # One socket first, so that what the first connection loads is not counted per socket.
        async with opening(conversations[0], "firm"):
            pass
        await asyncio.gather(*(open_one(c, side) for c in conversations for side in SIDES))

    async def send(self, sock: Sock, phase: str) -> None:
        """One message, resent after `rate_limited`, until acked or refused (or cancelled when
        the server has gone quiet: see `drain`)."""
        sock.sent += 1
        ref = f"{self.run}-{phase}-{sock.name}-{sock.sent}"
        self.sent[ref] = Sent(sock.conversation, phase, time.perf_counter())
        frame = json.dumps({"type": "send", "client_msg_id": ref, "body": f"hello {ref}"})
        while True:
            answer = asyncio.get_running_loop().create_future()
            sock.waiting[ref] = answer
            try:
                await sock.ws.send(frame)
                outcome = await answer
            except ConnectionClosed:
                return  # unacked: the final check reports it
            if outcome != "rate_limited":
                return
            await asyncio.sleep(1)

    def phase_records(self, phase: str) -> list[Sent]:
        return [record for record in self.sent.values() if record.phase == phase]

    async def drain(self, phase: str, tasks: list[asyncio.Task]) -> None:
        """Wait until every message of the phase is acked and at both sockets. A server that
        falls behind is waited for as long as frames keep coming; what has not come when it
        has been quiet for `--drain` seconds never will: the final check reports it."""
        records = self.phase_records(phase)
        while time.perf_counter() - self.heard_at < self.args.drain and not all(
            record.acks and len(record.got) == 2 for record in records
        ):
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # anything late or doubled shows up now
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def open_loop(self, meter: Meter) -> dict:
        args, phase = self.args, "open"
        self.latencies_ms[phase] = []
        interval = len(self.socks) / args.rate
        tasks: list[asyncio.Task] = []

        async def client(sock: Sock, start: float) -> None:
            at = start + random.uniform(0, interval)
            while at < start + args.duration:
                await asyncio.sleep(max(0.0, at - time.perf_counter()))
                tasks.append(asyncio.create_task(self.send(sock, phase)))
                at += interval

        before, started = await meter.read(), time.perf_counter()
        await asyncio.gather(*(client(sock, started) for sock in self.socks))
        await self.drain(phase, tasks)
        after = await meter.read()
        messages = len(self.phase_records(phase))
        return {
            "messages": messages,
            **self.latency(phase),
            **spent(before, after, messages, time.perf_counter() - started),
        }

    async def closed_loop(self, meter: Meter) -> dict:
        args, phase = self.args, "saturation"
        self.latencies_ms[phase] = []

        async def client(sock: Sock, stop_at: float) -> None:
            while time.perf_counter() < stop_at:
                await self.send(sock, phase)

        before, started = await meter.read(), time.perf_counter()
        window_from = started + args.warmup
        window_to = window_from + args.saturation_duration
        clients = [
            asyncio.create_task(client(sock, window_to))
            for sock in self.socks
            for _ in range(args.window)
        ]
        await asyncio.sleep(window_to - time.perf_counter())
        await self.drain(phase, clients)
        after = await meter.read()
        records = self.phase_records(phase)
        in_window = sum(
            1 for r in records if r.done_at is not None and window_from <= r.done_at <= window_to
        )
        return {
            "messages": len(records),
            "per_s": in_window / args.saturation_duration,
            **self.latency(phase),
            **spent(before, after, len(records), time.perf_counter() - started),
            "rate_limited": self.rate_limited,
        }

    def latency(self, phase: str) -> dict:
        latencies = sorted(self.latencies_ms[phase])
        if not latencies:
            return {"p50_ms": math.nan, "p99_ms": math.nan}
        return {
            "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[math.ceil(0.99 * len(latencies)) - 1],
        }

    def faults(self, expected_sockets: int) -> dict:
        """Everything that breaks the chat's promises, over all phases so far."""
        lost = duplicated = unacked = doubled_acks = wrong_seq = 0
        self.lost_where = Counter()
        for record in self.sent.values():
            for side in SIDES:
                count = record.got[f"{side}{record.conversation}"]
                lost += count == 0
                if count == 0:
                    self.lost_where[f"{record.phase} to {side}, acked {record.acks}"] += 1
                duplicated += max(count - 1, 0)
            unacked += record.acks == 0
            doubled_acks += record.acks > 1
            wrong_seq += len(record.seqs) > 1 or bool(
                record.ack_seq is not None and record.seqs and record.ack_seq not in record.seqs
            )
        return {
            "lost": lost,
            "duplicated": duplicated,
            "unacked": unacked,
            "acked twice": doubled_acks,
            "seq differs": wrong_seq,
            "out of order": sum(sock.out_of_order for sock in self.socks),
            "stray": self.strays,
            "error frames": len(self.errors),
            "closed by server": self.closed_by_server,
            "not connected": expected_sockets - len(self.socks),
        }

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(sock.ws.close() for sock in self.socks))
        for reader in self.readers:
            reader.cancel()


async def measure(server: Server, kind: str, conversations: list[dict], args) -> dict:
    path = SERVERS[kind][1]
    counts_url = f"{server.url}/__bench/counts" if kind == "platform" else None
    meter = Meter(server.popen.pid, counts_url, args.redis_url)
    session = Session(args)
    await asyncio.sleep(0.5)
    rss_before, started = rss_kib(server.popen.pid), time.perf_counter()
    try:
        await session.connect(server.port, path, conversations)
        connect_s = time.perf_counter() - started
        await asyncio.sleep(1)
        result = {
            "connections": sum(1 for sock in session.socks if sock.ws.state.name == "OPEN"),
            "connect_s": connect_s,
            "kib_per_connection": (rss_kib(server.popen.pid) - rss_before)
            / max(len(session.socks), 1),
        }
        print(f"{clock()}   connected in {connect_s:.1f} s; open loop ...", flush=True)
        result["open"] = await session.open_loop(meter)
        print(f"{clock()}   saturation ...", flush=True)
        result["saturation"] = await session.closed_loop(meter)
        await asyncio.sleep(1)
        result["faults"] = session.faults(2 * len(conversations))
        result["errors_seen"] = session.errors[:5]
        result["lost_where"] = dict(session.lost_where)
        return result
    finally:
        await session.close()


# -- the run --------------------------------------------------------------------------------

STARTED = time.monotonic()


def clock() -> str:
    return time.strftime("%M:%S", time.gmtime(time.monotonic() - STARTED))


def main() -> None:
    args = parse_args()
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    args.redis_url = f"{base}/5"
    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    started = time.monotonic()
    with throwaway_database(tmp) as database_url:
        args.database = database_url.split(":", 1)[0]
        env = server_env(
            database_url,
            tmp,
            REDIS_URL=args.redis_url,
            REDIS_CACHE_URL=args.redis_url,
            TASKS_INLINE="1",
            LOG_LEVEL="WARNING",
        )
        conversations = max(args.clients) // 2
        print(f"{clock()} migrating and seeding {conversations} conversations ...", flush=True)
        manage(env, "migrate", "--noinput")
        printed = manage(
            env,
            "shell",
            "-c",
            f"from tests.chat.live_seed import main; main({conversations})",
            timeout=1800,
        )
        seed = json.loads(printed.strip().splitlines()[-1])["conversations"]
        # The seed queued mail (conversations opened); sent now, it is not sent by a server
        # while it is measured.
        manage(env, "shell", "-c", SEND_OUTBOX)

        results: dict[tuple[int, str], dict] = {}
        for clients in args.clients:
            for kind in SERVERS:
                redis.Redis.from_url(args.redis_url).flushdb()
                print(f"{clock()} {clients} clients on the {kind} ...", flush=True)
                server = Server(env, tmp / f"{kind}-{clients}.log", app=SERVERS[kind][0])
                try:
                    server.wait_ready()
                    results[clients, kind] = asyncio.run(
                        measure(server, kind, seed[: clients // 2], args)
                    )
                    results[clients, kind]["log"] = str(server.log_path)
                except BaseException:
                    print(server.output(), file=sys.stderr)
                    raise
                finally:
                    server.stop()
    args.minutes = (time.monotonic() - started) / 60
    report(results, args)
    if args.json:
        rows = [{"clients": n, "server": kind, **r} for (n, kind), r in results.items()]
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))
    failed = False
    for (n, kind), result in results.items():
        faults = {name: count for name, count in result["faults"].items() if count}
        if faults:
            failed = True
            print(f"FAILED, {n} clients on the {kind}: {faults}", file=sys.stderr)
            print(f"  lost: {result['lost_where']}", file=sys.stderr)
            print(f"  first error frames: {result['errors_seen']}", file=sys.stderr)
            log = Path(result["log"]).read_text(errors="replace")
            print(
                f"  server log: {result['log']} ({log.count('over capacity')} lines of the "
                "channel layer dropping events over capacity)",
                file=sys.stderr,
            )
    if failed:
        raise SystemExit(1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--clients", default=None, help="comma-separated client counts, 2 per conversation"
    )
    parser.add_argument(
        "--rate", type=float, default=None, help="open loop: messages/s in all (50; quick: 20)"
    )
    parser.add_argument("--duration", type=float, default=None, help="open loop: seconds")
    parser.add_argument("--saturation-duration", type=float, default=None, help="seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="saturation: seconds first")
    parser.add_argument("--window", type=int, default=1, help="saturation: outstanding per client")
    parser.add_argument(
        "--drain",
        type=float,
        default=30.0,
        help="seconds of silence that end the wait for the rest",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of a minute or two: 100 clients, 20 messages/s, short phases",
    )
    args = parser.parse_args()
    quick = args.quick
    args.clients = [int(n) for n in (args.clients or ("100" if quick else "500,1000")).split(",")]
    if any(n < 2 or n % 2 for n in args.clients):
        parser.error("--clients: even numbers (two clients per conversation)")
    args.rate = args.rate or (20.0 if quick else 50.0)
    args.duration = args.duration or (8.0 if quick else 60.0)
    args.saturation_duration = args.saturation_duration or (5.0 if quick else 20.0)
    if quick:
        args.warmup = min(args.warmup, 1.0)
    return args


# -- the table ------------------------------------------------------------------------------


def figure(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def ratio(platform, relay) -> str:
    if platform is None or relay is None or not relay or math.isnan(platform + relay):
        return "-"
    quotient = platform / relay
    return f"x{quotient:,.{0 if quotient >= 10 else 1 if quotient >= 1 else 3}f}"


# Each phase's figures: key, label, digits, whether the platform/relay ratio says something.
PHASE_ROWS = [
    ("messages", "messages", 0, False),
    ("p50_ms", "delivery p50 (ms)", 1, True),
    ("p99_ms", "delivery p99 (ms)", 1, True),
    ("server_cpu_ms", "server CPU per message (ms)", 2, True),
    ("db_statements", "DB statements per message", 1, False),
    ("db_round_trips", "DB round trips per message", 1, False),
    ("redis_round_trips", "Redis round trips per message", 1, False),
    ("redis_server_commands", "Redis commands per message, all clients", 1, False),
    ("server_cpu_pct", "server CPU (% of a core)", 0, False),
    ("client_cpu_pct", "load generator CPU (% of a core)", 0, False),
]
ROWS = [
    *(
        (f"open loop: {label}", ("open", key), digits, cmp)
        for key, label, digits, cmp in PHASE_ROWS
    ),
    ("saturation: delivered messages/s", ("saturation", "per_s"), 0, True),
    *(
        (f"saturation: {label}", ("saturation", key), digits, cmp)
        for key, label, digits, cmp in PHASE_ROWS
    ),
    ("saturation: resent after rate_limited", ("saturation", "rate_limited"), 0, False),
    ("connections held", (None, "connections"), 0, False),
    ("connect all (s)", (None, "connect_s"), 1, True),
    ("server memory per connection (KiB)", (None, "kib_per_connection"), 0, True),
]


def value(result: dict, where: tuple):
    phase, key = where
    return (result[phase] if phase else result)[key]


def report(results: dict, args) -> None:
    counts = sorted({n for n, _ in results})
    print()
    print(
        f"{len(counts)} sizes, 2 clients per conversation; open loop {args.rate:g} messages/s in "
        f"all for {args.duration:g} s; saturation: {args.window} outstanding per client for "
        f"{args.saturation_duration:g} s after {args.warmup:g} s; database: {args.database}; "
        f"Redis; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
        f"{args.minutes:.1f} min"
    )
    print()
    header = "| |"
    for n in counts:
        header += f" {n:,} clients: platform | relay | ratio |"
    print(header)
    print("| --- |" + " ---: |" * 3 * len(counts))
    for label, where, digits, compared in ROWS:
        line = f"| {label} |"
        for n in counts:
            platform = value(results[n, "platform"], where)
            relay = value(results[n, "relay"], where)
            line += f" {figure(platform, digits)} | {figure(relay, digits)} |"
            line += f" {ratio(platform, relay) if compared else ''} |"
        print(line)
    line = "| lost, duplicated, out of order, errors |"
    for n in counts:
        for kind in SERVERS:
            line += f" {sum(results[n, kind]['faults'].values())} |"
        line += " |"
    print(line)
    print()
    print(
        "Server CPU is the uvicorn process's only (all its threads); PostgreSQL's and Redis's "
        "own are not in it. DB and Redis round trips are the server process's, counted in "
        "psycopg and redis-py; Redis commands, all clients: that Redis server's "
        "total_commands_processed, whoever sent them."
    )
    print()
    for n in counts:
        platform, relay = results[n, "platform"], results[n, "relay"]
        print(
            f"{n:,} clients, platform against relay: open loop p50 "
            f"{ratio(platform['open']['p50_ms'], relay['open']['p50_ms'])}, p99 "
            f"{ratio(platform['open']['p99_ms'], relay['open']['p99_ms'])}, CPU per message "
            f"{ratio(platform['open']['server_cpu_ms'], relay['open']['server_cpu_ms'])}; "
            f"saturation {ratio(platform['saturation']['per_s'], relay['saturation']['per_s'])}"
        )
    print()
    print(BAR)
    if 1000 not in counts:
        print("  not measured: this run has no 1,000 clients")
        return
    platform, relay = results[1000, "platform"], results[1000, "relay"]
    p50, p99 = platform["open"]["p50_ms"], platform["open"]["p99_ms"]
    checks = [
        (f"p99 {p99:,.1f} ms <= 50 ms", p99 <= 50),
        (
            f"p50 {p50:,.1f} ms <= 5 x relay's {relay['open']['p50_ms']:.1f} ms",
            p50 <= 5 * relay["open"]["p50_ms"],
        ),
        (
            f"saturation {platform['saturation']['per_s']:,.0f} messages/s >= 400",
            platform["saturation"]["per_s"] >= 400,
        ),
        ("every message delivered once", not any(platform["faults"].values())),
    ]
    for text, holds in checks:
        print(f"  {text}: {'holds' if holds else 'does not hold'}")
    unlike = [
        what
        for what, differs in (
            (f"{args.rate:g} messages/s, not 50", args.rate != 50),
            (f"{args.database}, not PostgreSQL", args.database != "postgres"),
        )
        if differs
    ]
    if unlike:
        print(f"  (this run is not the bar's setting: {'; '.join(unlike)})")


if __name__ == "__main__":
    main()
