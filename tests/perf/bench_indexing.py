"""Benchmark: what matching costs the request that starts it, and everyone else meanwhile.

    python tests/perf/bench_indexing.py [--repeat 5] [--runs 3] [--before | --compare]

Against a real uvicorn server on the demo data (`seed_demo`, in a throwaway database of its own:
a SQLite file, or a PostgreSQL database on the server of DATABASE_URL when that is set):

1. Publishing a fresh draft challenge (created through the API just before), and the demo startup
   saving its published profile with a small text change, `--repeat` times each, beside a plain
   GET of the same object in the same run as the baseline.
2. How long until the proposals are ready: `matching_status` turns `ready` (the code before the
   change log had no such field: there, ready = the publish answered and its matches exist).
3. `--runs` proposal runs under concurrent writes: while a publish's proposals are computed,
   another firm PATCHes its own accelerator and the operator its cohort in a loop. Reported: the
   longest any of those writes waited, and every write that did not answer 2xx.

`--before` measures commit e736597 instead (matching inside the request and its transaction),
from a temporary git worktree served by the same Python; `--compare` measures both in one run,
one after the other, and prints them side by side. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from tests.servers import Server, manage, server_env, throwaway_database  # noqa: E402

BEFORE_COMMIT = "e736597"
PASSWORD = "demo12345"  # seed_demo's
FIRM, OTHER_FIRM = "enterprise@demo.local", "enterprise2@demo.local"
STARTUP, OPERATOR = "startup@demo.local", "operator@demo.local"
POLL_SECONDS = 0.1
WRITE_PAUSE_SECONDS = 0.1  # between one concurrent writer's requests: busy users, not a flood
LEAD_IN_SECONDS = 1.0  # concurrent writers run alone this long first: their quiet baseline

# A challenge a battery firm might write. Each one published here rotates these sentences and
# adds one of its own, so its title and text chunks are new and must be encoded, as a real
# firm's would be; only the statements repeat.
SENTENCES = [
    "We need a battery management system that estimates the state of charge of lithium-ion "
    "packs within two percent over the full operating temperature range.",
    "Cells in our storage containers age unevenly, and we want to detect internal short "
    "circuits early, well before a thermal runaway can start.",
    "The solution should run on the existing pack controller and report to the plant "
    "historian over Modbus.",
    "Candidate approaches include impedance spectroscopy, model-based observers and "
    "estimators trained on cycling data.",
    "We also care about fast charging at low temperature without lithium plating.",
    "Partners should have tested their methods on commercial cells, not only in simulation.",
    "Deliverables are a validated estimator, a test report and an integration plan for our "
    "production lines.",
]
CAPABILITIES = [
    "Battery state-of-charge and state-of-health estimation",
    "Early detection of internal short circuits in lithium-ion cells",
    "Fast charging at low temperature",
]


# -- HTTP ------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int  # 0: no answer at all (connection error or timeout)
    body: dict
    ms: float
    started: float = 0.0  # time.monotonic() when the request was sent

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Api:
    """One demo user, signed in by API token; every call timed.

    Each call opens its own connection (on loopback a fraction of a millisecond): uvicorn drops
    keep-alive connections idle for 5 s, and a session here may sit idle longer than that."""

    def __init__(self, port: int, email: str) -> None:
        self.email, self.port = email, port
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = must(self.call("POST", "/api/auth/token/", {"email": email, "password": PASSWORD}))
        self.headers["Authorization"] = f"Token {token['token']}"

    def call(self, method: str, path: str, body: dict | None = None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        started = time.monotonic()
        begin = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=data, headers=self.headers)
            response = conn.getresponse()
            raw, status = response.read(), response.status
        except (OSError, http.client.HTTPException) as error:
            ms = (time.perf_counter() - begin) * 1000
            return Reply(0, {"error": repr(error)}, ms, started)
        finally:
            conn.close()
        ms = (time.perf_counter() - begin) * 1000
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"text": raw[:300].decode(errors="replace")}
        return Reply(status, payload, ms, started)


def must(reply: Reply) -> dict:
    """The body of a set-up call that has to work; the benchmark cannot go on otherwise."""
    if not reply.ok:
        raise RuntimeError(f"HTTP {reply.status}: {json.dumps(reply.body)[:500]}")
    return reply.body


def describe(reply: Reply) -> str:
    detail = reply.body.get("error") or reply.body.get("detail") or reply.body.get("text") or ""
    if isinstance(detail, dict):
        detail = detail.get("message", detail)
    return f"{reply.status} {str(detail)[:120]}".strip()


# -- the server, from this tree or from a worktree of the old commit -------------------------


@contextlib.contextmanager
def worktree(commit: str) -> Iterator[Path]:
    """A detached git worktree of `commit` in a temporary folder, removed afterwards."""
    tree = Path(tempfile.mkdtemp(prefix="bench-indexing-tree-")) / "tree"
    git = ["git", "-C", str(ROOT), "worktree"]
    subprocess.run([*git, "add", "--detach", str(tree), commit], check=True, capture_output=True)
    try:
        yield tree
    finally:
        subprocess.run([*git, "remove", "--force", str(tree)], check=False, capture_output=True)
        shutil.rmtree(tree.parent, ignore_errors=True)


def imported_from(tree: Path, env: dict[str, str]) -> Path:
    """Where `backend` comes from for a process started in `tree`."""
    printed = subprocess.run(
        [sys.executable, "-c", "import backend; print(backend.__file__)"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Path(printed.strip()).resolve().parent.parent


# -- the measurements ------------------------------------------------------------------------


@dataclass
class Results:
    get_challenge_ms: list[float] = field(default_factory=list)
    publish_ms: list[float] = field(default_factory=list)
    get_profile_ms: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)
    publish_ready_s: list[float] = field(default_factory=list)
    proposals: list[int] = field(default_factory=list)
    save_ready_s: list[float] = field(default_factory=list)
    contended_ready_s: list[float] = field(default_factory=list)
    quiet_write_ms: list[float] = field(default_factory=list)
    contended_write_ms: list[float] = field(default_factory=list)
    writes_failed: int = 0
    failures: list[str] = field(default_factory=list)
    log_500s: int = 0
    log_locked: int = 0


class Platform:
    """The four demo users' sessions and the objects they work on."""

    def __init__(self, port: int, tag: str, ready_timeout: float) -> None:
        self.tag, self.count, self.ready_timeout = tag, 0, ready_timeout
        self.firm, self.startup = Api(port, FIRM), Api(port, STARTUP)
        self.other, self.operator = Api(port, OTHER_FIRM), Api(port, OPERATOR)
        self.accelerator = self._own_accelerator(self.firm)
        self.other_accelerator = self._own_accelerator(self.other)
        self.cohort = must(self.operator.call("GET", "/api/cohorts/"))["results"][0]["id"]
        profile = must(self.startup.call("GET", "/api/startups/me/"))
        self.summary = profile["summary"]
        # The change log added the field: its absence is how the old code shows itself.
        self.background = "matching_status" in profile

    @staticmethod
    def _own_accelerator(api: Api) -> int:
        organization = must(api.call("GET", "/api/me/"))["organization"]["id"]
        listed = must(api.call("GET", f"/api/accelerators/?enterprise={organization}"))
        return listed["results"][0]["id"]

    def draft(self) -> int:
        self.count += 1
        n = self.count
        sentences = SENTENCES[n % len(SENTENCES) :] + SENTENCES[: n % len(SENTENCES)]
        body = {
            "accelerator": self.accelerator,
            "title": f"Battery pack diagnostics pilot {self.tag}-{n}",
            "problem_statement": " ".join(
                [*sentences, f"Pilot {n} runs on {2 + n % 5} containers at site {100 + n}."]
            ),
            "required_capabilities": CAPABILITIES,
            "industry_tags": ["batteries", "energy storage"],
            "trl_min": 4,
            "trl_max": 7,
        }
        return must(self.firm.call("POST", "/api/challenges/", body))["id"]

    def publish(self, challenge: int) -> tuple[Reply, float | None, int]:
        """Publish and wait for the proposals: the reply, seconds until ready (None: they
        failed or never came), and how many were proposed."""
        reply = self.firm.call("POST", f"/api/challenges/{challenge}/publish/")
        if not reply.ok:
            return reply, None, 0
        matches = f"/api/challenges/{challenge}/matches/"
        deadline = reply.started + self.ready_timeout
        while time.monotonic() < deadline:
            if self.background:
                state = self.firm.call("GET", f"/api/challenges/{challenge}/").body
                ready = state.get("matching_status") == "ready"
                if state.get("matching_status") == "failed":
                    return reply, None, 0
            else:
                ready = self.firm.call("GET", matches).body.get("count", 0) > 0
            if ready:
                ready_s = time.monotonic() - reply.started
                return reply, ready_s, self.firm.call("GET", matches).body.get("count", 0)
            time.sleep(POLL_SECONDS)
        return reply, None, 0

    def save_profile(self) -> tuple[Reply, float | None]:
        """A small change to the published profile's summary; seconds until its matches are
        up to date (the old code matched inside the request: ready when it answered)."""
        self.count += 1
        body = {"summary": f"{self.summary} Revised {self.tag}-{self.count}."}
        reply = self.startup.call("PATCH", "/api/startups/me/", body)
        if not reply.ok or not self.background:
            return reply, reply.ms / 1000 if reply.ok else None
        deadline = reply.started + self.ready_timeout
        while time.monotonic() < deadline:
            status = self.startup.call("GET", "/api/startups/me/").body.get("matching_status")
            if status in ("ready", "failed"):
                return reply, time.monotonic() - reply.started if status == "ready" else None
            time.sleep(POLL_SECONDS)
        return reply, None


def quiet(platform: Platform, results: Results, repeat: int) -> None:
    """Publishes and profile saves one at a time, each beside a GET of the same object."""
    for _ in range(repeat):
        challenge = platform.draft()
        results.get_challenge_ms.append(
            must_ms(platform.firm.call("GET", f"/api/challenges/{challenge}/"))
        )
        reply, ready_s, proposals = platform.publish(challenge)
        record(results, "publish", reply, ready_s)
        results.publish_ms.append(reply.ms)
        if ready_s is not None:
            results.publish_ready_s.append(ready_s)
            results.proposals.append(proposals)
    for _ in range(repeat):
        results.get_profile_ms.append(must_ms(platform.startup.call("GET", "/api/startups/me/")))
        reply, ready_s = platform.save_profile()
        record(results, "profile save", reply, ready_s)
        results.save_ms.append(reply.ms)
        if ready_s is not None:
            results.save_ready_s.append(ready_s)


def must_ms(reply: Reply) -> float:
    must(reply)
    return reply.ms


def record(results: Results, what: str, reply: Reply, ready_s: float | None) -> None:
    if not reply.ok:
        results.failures.append(f"{what}: {describe(reply)}")
    elif ready_s is None:
        results.failures.append(f"{what}: its proposals failed or were not ready in time")


def contended(platform: Platform, results: Results, runs: int) -> None:
    """Proposal runs while another firm and the operator keep writing their own objects."""
    writers = [
        (
            platform.other,
            f"/api/accelerators/{platform.other_accelerator}/",
            lambda n: {"description": f"Sensing and autonomy programme, revision {n}."},
        ),
        (
            platform.operator,
            f"/api/cohorts/{platform.cohort}/",
            lambda n: {"capacity": 8 + n % 2},
        ),
    ]
    for _ in range(runs):
        challenge = platform.draft()
        stop = threading.Event()
        writes: list[Reply] = []
        threads = [
            threading.Thread(
                target=write_loop,
                args=(api, path, body, stop, writes, platform.ready_timeout + LEAD_IN_SECONDS),
            )
            for api, path, body in writers
        ]
        for thread in threads:
            thread.start()
        time.sleep(LEAD_IN_SECONDS)
        reply, ready_s, _ = platform.publish(challenge)
        window_end = time.monotonic()
        stop.set()
        for thread in threads:
            thread.join(timeout=platform.ready_timeout + 30)
        record(results, "publish under load", reply, ready_s)
        if ready_s is not None:
            results.contended_ready_s.append(ready_s)
        for write in writes:
            ended = write.started + write.ms / 1000
            # The proposal run: from sending the publish to seeing its proposals ready. A write
            # that failed waited too, so its time counts as well.
            if write.started < window_end and ended > reply.started:
                results.contended_write_ms.append(write.ms)
            elif ended <= reply.started:
                results.quiet_write_ms.append(write.ms)
            if not write.ok:
                results.writes_failed += 1
                results.failures.append(f"concurrent write: {describe(write)}")


def write_loop(
    api: Api, path: str, body, stop: threading.Event, writes: list[Reply], limit_s: float
) -> None:
    """PATCH `path` until told to stop (or, should the publish hang, for `limit_s`)."""
    deadline = time.monotonic() + limit_s
    n = 0
    while not stop.is_set() and time.monotonic() < deadline:
        n += 1
        writes.append(api.call("PATCH", path, body(n)))
        stop.wait(WRITE_PAUSE_SECONDS)


def measure(tree: Path, label: str, args: argparse.Namespace) -> Results:
    """Seed a database of its own, serve it from `tree`, run everything, stop the server."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-indexing-"))
    results = Results()
    try:
        with throwaway_database(tmp) as database_url:
            env = server_env(
                database_url,
                tmp,
                # The embedded default: matching runs in the server process (the old code in
                # the request; the new one in the background task), not in Celery.
                TASKS_INLINE="1",
                LOG_LEVEL="WARNING",
                VAR_DIR=str(tmp / "var"),
                PYTHONPATH=os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")])),
            )
            env.pop("REDIS_URL", None)
            if imported_from(tree, env) != tree.resolve():
                raise SystemExit(f"{label}: the server would not run that tree's code")
            print(f"{label}: migrating and seeding the demo data ...", flush=True)
            manage(env, "migrate", "--noinput", cwd=tree, timeout=900)
            manage(env, "seed_demo", cwd=tree, timeout=900)
            server = Server(env, tmp / "server.log", cwd=tree)
            try:
                server.wait_ready(timeout=300)
                platform = Platform(server.port, label, args.ready_timeout)
                if platform.background != (label == "after"):
                    raise SystemExit(f"{label}: not the code expected (matching_status or not)")
                # Unmeasured: the old code loads the model on first use, and both fill caches.
                print(f"{label}: warming up ...", flush=True)
                platform.publish(platform.draft())
                platform.save_profile()
                for api, path, body in [
                    (platform.other, f"/api/accelerators/{platform.other_accelerator}/", {}),
                    (platform.operator, f"/api/cohorts/{platform.cohort}/", {}),
                ]:
                    must(api.call("PATCH", path, body))
                print(f"{label}: measuring ...", flush=True)
                quiet(platform, results, args.repeat)
                contended(platform, results, args.runs)
            finally:
                server.stop()
            log = server.log_path.read_text(errors="replace")
            results.log_500s = log.count("Internal Server Error")
            results.log_locked = log.count("database is locked")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


# -- the report ------------------------------------------------------------------------------


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    if not values:
        return "-"
    return f"{fmt.format(statistics.median(values))} / {fmt.format(max(values))}"


def report(columns: dict[str, Results], args: argparse.Namespace) -> None:
    seconds = "{:.2f}"
    rows = [
        ("GET /api/challenges/{id}/ (baseline), ms", lambda r: spread(r.get_challenge_ms)),
        ("POST /api/challenges/{id}/publish/, ms", lambda r: spread(r.publish_ms)),
        ("GET /api/startups/me/ (baseline), ms", lambda r: spread(r.get_profile_ms)),
        ("PATCH /api/startups/me/ (profile save), ms", lambda r: spread(r.save_ms)),
        ("proposals ready after publish, s", lambda r: spread(r.publish_ready_s, seconds)),
        ("proposals per published challenge", lambda r: spread(r.proposals)),
        ("profile matches ready after save, s", lambda r: spread(r.save_ready_s, seconds)),
        (
            "proposals ready after publish under concurrent writes, s",
            lambda r: spread(r.contended_ready_s, seconds),
        ),
        ("concurrent writes before the publish (quiet), ms", lambda r: spread(r.quiet_write_ms)),
        ("concurrent writes during the proposal run, ms", lambda r: spread(r.contended_write_ms)),
        (
            "concurrent writes during the proposal run, count",
            lambda r: str(len(r.contended_write_ms)),
        ),
        ("concurrent writes not 2xx", lambda r: str(r.writes_failed)),
        ("server log: 500s / 'database is locked'", lambda r: f"{r.log_500s} / {r.log_locked}"),
    ]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print()
    print(
        f"demo data; database: {engine}; {args.repeat} publishes and {args.repeat} profile "
        f"saves one at a time; {args.runs} proposal runs under concurrent writes (another "
        f"firm's accelerator and the operator's cohort, one PATCH each every "
        f"{WRITE_PAUSE_SECONDS:g} s); "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print("cells: p50 / max")
    print()
    print("| | " + " | ".join(columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(r) for r in columns.values()) + " |")
    for name, results in columns.items():
        if results.failures:
            print(f"\n{name}: {len(results.failures)} failures")
            for failure in sorted(set(results.failures)):
                print(f"  {results.failures.count(failure)} x {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="publishes and profile saves")
    parser.add_argument("--runs", type=int, default=3, help="proposal runs under writes")
    parser.add_argument("--ready-timeout", type=float, default=180.0, help="seconds")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--before", action="store_true", help=f"measure commit {BEFORE_COMMIT}")
    mode.add_argument("--compare", action="store_true", help="before and after in one run")
    args = parser.parse_args()
    columns: dict[str, Results] = {}
    if args.before or args.compare:
        with worktree(BEFORE_COMMIT) as tree:
            columns[f"before ({BEFORE_COMMIT})"] = measure(tree, "before", args)
    if not args.before:
        columns["after (working tree)"] = measure(ROOT, "after", args)
    report(columns, args)


if __name__ == "__main__":
    main()
