"""Real processes for tests: throwaway databases, uvicorn servers and Celery workers.

pytest-django's test database is invisible to another process, so tests that talk to a real
server give it a database of its own, migrated here and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL of an empty database on the same engine as the tests' own."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    import psycopg

    name = f"cohortis_{uuid.uuid4().hex[:12]}"
    admin = {
        "host": default["HOST"] or "127.0.0.1",
        "port": default["PORT"] or 5432,
        "user": default["USER"],
        "password": default["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = default["USER"] + (f":{default['PASSWORD']}" if default["PASSWORD"] else "")
    try:
        yield f"postgres://{user}@{admin['host']}:{admin['port']}/{name}"
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "server-test-secret-key-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "HF_HUB_OFFLINE": "1",
        "MATCHING_INDEX_DIR": str(tmp_path / "index"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300, cwd: Path = ROOT) -> str:
    """`manage.py` of the tree in `cwd` (this checkout unless told otherwise)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Process:
    """A child process with its output in a log file, stopped for sure at the end."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> None:
        self.args, self.env, self.log_path = args, env, log
        self._log = log.open("ab")
        # The working directory comes first on sys.path, ahead of the editable install: a
        # process in another tree (a worktree of an old commit) runs that tree's code.
        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self._log.close()


class Server(Process):
    """An ASGI app (the platform's, unless told otherwise) under uvicorn on a loopback port."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        port: int | None = None,
        app: str = "backend.config.asgi:application",
        cwd: Path = ROOT,
    ) -> None:
        self.port = port or free_port()
        super().__init__(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env,
            log,
            cwd,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.output()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response,
            ):
                if response.status == 200:
                    return self
            time.sleep(0.3)
        raise TimeoutError(f"server not ready in {timeout}s:\n{self.output()}")


class Worker(Process):
    """A Celery worker; the solo pool runs tasks in this very process, so a SIGKILL lands
    in the middle of one."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        super().__init__(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "backend.config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            log,
        )


@contextlib.contextmanager
def seeded_server(tmp: Path, seed_module: str, **settings: str) -> Iterator[tuple[Server, dict]]:
    """The platform as deployed (collected static files, migrations, inline tasks, the tests'
    Redis when there is one) on a throwaway database seeded by `seed_module`'s `main()`, which
    prints a JSON line of what the tests need; yields the running server and that line.
    `settings`: more environment for the server."""
    port = free_port()
    extra = {
        "TASKS_INLINE": "1",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": str(tmp / "var"),
        # Links in mail lead back to this server.
        "SITE_URL": f"http://127.0.0.1:{port}",
        **settings,
    }
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        import redis

        # Redis databases of its own, emptied first, so nothing else on that Redis mixes in:
        # the channel layer and broker, and the cache (where an earlier server's sign-in and
        # reset counts per address would otherwise still stand).
        base = redis_url.rsplit("/", 1)[0]
        extra["REDIS_URL"], extra["REDIS_CACHE_URL"] = f"{base}/7", f"{base}/8"
        for url in (extra["REDIS_URL"], extra["REDIS_CACHE_URL"]):
            redis.Redis.from_url(url).flushdb()
    with throwaway_database(tmp) as database_url:
        env = server_env(database_url, tmp, **extra)
        if not redis_url:
            env.pop("REDIS_URL", None)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        printed = manage(env, "shell", "-c", f"from {seed_module} import main; main()")
        seed = json.loads(printed.strip().splitlines()[-1])
        server = Server(env, tmp / "server.log", port=port).wait_ready()
        try:
            yield server, seed
        finally:
            server.stop()
