"""The distributed topology with real processes: two web servers, Celery workers, PostgreSQL,
Redis. Needs the real services; `.ci/run` provides both in its second pass."""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.mail import Inbox, smtp_server
from tests.servers import Server, Worker, manage, server_env, throwaway_database


def require_real_services() -> str:
    redis_url = os.environ.get("REDIS_URL", "")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not redis_url:
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); .ci/run's second pass runs it"
        )
    return redis_url


@dataclass
class Api:
    """A tiny JSON client for one server, optionally signed in with a token."""

    base: str
    token: str | None = None
    headers: dict = field(default_factory=dict)
    inbox: Inbox | None = None  # where the platform's mail arrives

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Token {self.token}"} if self.token else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def ok(self, method: str, path: str, body: dict | None = None) -> dict:
        status, data = self.call(method, path, body)
        assert status < 300, (method, path, status, data)
        return data

    def signup(self, email: str, kind: str, organization: str) -> Api:
        """A new account, verified through the link the platform mailed, signed in."""
        password = "a-long-test-password"
        self.ok(
            "POST",
            "/api/auth/signup/",
            {"email": email, "password": password, "organization_name": organization, "kind": kind},
        )
        _, uid, token = self.inbox.wait(email)[0].link("/accounts/verify/")
        self.ok("POST", "/api/auth/verify-email/", {"uid": uid, "token": token})
        data = self.ok("POST", "/api/auth/token/", {"email": email, "password": password})
        return Api(self.base, data["token"], inbox=self.inbox)

    def on(self, server) -> Api:
        """The same user, talking to another server."""
        return Api(server.url, self.token, inbox=self.inbox)


def wait_for(condition, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Stack:
    webs: list[Server]
    workers: list[Worker]
    env: dict[str, str]
    tmp: Path
    database_url: str
    inbox: Inbox

    def sql(self, query: str, *params) -> list[tuple]:
        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()

    def add_worker(self) -> Worker:
        n = len(self.workers) + 1
        worker = Worker(
            {**self.env, "MATCHING_INDEX_DIR": str(self.tmp / f"index-w{n}")},
            self.tmp / f"worker-{n}.log",
        )
        self.workers.append(worker)
        return worker


@contextlib.contextmanager
def running_stack(tmp: Path, redis_url: str, django_db_blocker, webs: int = 2) -> Iterator[Stack]:
    """Web processes and one Celery worker on a throwaway PostgreSQL database."""
    with (
        django_db_blocker.unblock(),
        throwaway_database(tmp) as database_url,
        smtp_server() as (inbox, email_url),
    ):
        env = server_env(
            database_url,
            tmp,
            REDIS_URL=redis_url,
            TASKS_INLINE="0",
            CELERY_VISIBILITY_TIMEOUT="8",
            EMAIL_URL=email_url,
        )
        manage(env, "migrate", "--noinput")
        stack = Stack(
            webs=[
                Server(
                    {**env, "MATCHING_INDEX_DIR": str(tmp / f"index-web{n}")}, tmp / f"web-{n}.log"
                )
                for n in range(webs)
            ],
            workers=[],
            env=env,
            tmp=tmp,
            database_url=database_url,
            inbox=inbox,
        )
        stack.add_worker()
        try:
            for web in stack.webs:
                web.wait_ready()
            yield stack
        finally:
            for process in [*stack.webs, *stack.workers]:
                process.stop()


def add_startup(api: Api, name: str, summary: str, capabilities: list[str]) -> Api:
    startup = api.signup(f"{name.lower()}@example.test", "startup", name)
    startup.ok(
        "PUT",
        "/api/startups/me/",
        {"name": name, "summary": summary, "capabilities": capabilities, "published": True},
    )
    return startup


def indexed_names(stack: Stack, prefix: str) -> set[str]:
    """Profiles whose chunk vectors are stored, by name prefix."""
    rows = stack.sql(
        "SELECT p.name FROM startups_startupprofile p WHERE p.name LIKE %s AND EXISTS ("
        "SELECT 1 FROM matches_chunkvector c WHERE c.side = 'startup' AND c.owner_id = p.id)",
        prefix + "%",
    )
    return {row[0] for row in rows}
