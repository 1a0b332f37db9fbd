"""The embedded default as `make run` serves it: one uvicorn process whose lifespan warms
matching up and runs the indexer. Publishing and saving answer `pending` at once; the proposals
appear afterwards with nothing but the server running."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from backend.config.views import healthz
from backend.matches.worker import background
from tests.matches.small_market import PASSWORD, SEED
from tests.servers import Server, manage, server_env, throwaway_database

pytestmark = [pytest.mark.slow]


def call(url: str, method: str = "GET", body: dict | None = None, token: str | None = None):
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


def wait_until(check, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-indexer")
    with throwaway_database(tmp) as database_url:
        env = server_env(database_url, tmp, TASKS_INLINE="1", LOG_LEVEL="INFO")
        env.pop("REDIS_URL", None)  # the embedded default: in-memory layer, in-process indexer
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SEED)
        server = Server(env, tmp / "web.log").wait_ready()
        try:
            yield server
        finally:
            server.stop()


def token(site, email: str) -> str:
    return call(f"{site.url}/api/auth/token/", "POST", {"email": email, "password": PASSWORD})[1][
        "token"
    ]


def test_the_server_warms_up_and_drains_what_was_logged_before_it_started(site):
    assert "matching is ready" in site.output()
    firm = token(site, "firm@crash.test")
    challenges = call(f"{site.url}/api/challenges/?page_size=10", token=firm)[1]["results"]
    assert len(challenges) == 2
    for challenge in challenges:
        wait_until(
            lambda c=challenge: (
                call(f"{site.url}/api/challenges/{c['id']}/", token=firm)[1]["matching_status"]
                == "ready"
            ),
            "the logged challenges to be matched",
        )


def test_publishing_answers_pending_and_the_proposals_follow(site):
    firm = token(site, "firm@crash.test")
    accelerator = call(f"{site.url}/api/accelerators/", token=firm)[1]["results"][0]["id"]
    status, draft = call(
        f"{site.url}/api/challenges/",
        "POST",
        {
            "accelerator": accelerator,
            "title": "Battery cells that charge in ten minutes",
            "problem_statement": "Fast-charging lithium-ion cells for electric buses.",
        },
        token=firm,
    )
    assert status == 201
    status, published = call(
        f"{site.url}/api/challenges/{draft['id']}/publish/", "POST", token=firm
    )
    assert status == 200
    assert (published["matching_status"], published["matched_at"]) == ("pending", None)
    matches_url = f"{site.url}/api/challenges/{draft['id']}/matches/"
    found = wait_until(lambda: call(matches_url, token=firm)[1]["results"], "the proposals")
    assert found[0]["startup"]["name"] == "VoltCell"
    ready = call(f"{site.url}/api/challenges/{draft['id']}/", token=firm)[1]
    assert ready["matching_status"] == "ready" and ready["matched_at"]


def test_saving_a_profile_answers_pending_and_the_proposals_follow(site):
    startup = token(site, "s1@crash.test")
    status, saved = call(
        f"{site.url}/api/startups/me/",
        "PATCH",
        {"summary": "Battery abuse and fast-charge testing for lithium-ion cells."},
        token=startup,
    )
    assert status == 200
    assert saved["matching_status"] == "pending"
    wait_until(
        lambda: (
            call(f"{site.url}/api/startups/me/", token=startup)[1]["matching_status"] == "ready"
        ),
        "the profile to be matched",
    )
    assert call(f"{site.url}/api/matches/", token=startup)[1]["count"] > 0


def test_healthz_says_warming_until_matching_is_ready(rf, monkeypatch, db):
    monkeypatch.setattr(background, "state", "warming")
    response = healthz(rf.get("/healthz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "warming"}
    monkeypatch.setattr(background, "state", "ready")
    assert healthz(rf.get("/healthz")).status_code == 200


def test_a_warming_process_answers_503_without_an_error_line(client, monkeypatch, db, caplog):
    """Load balancers poll `/healthz` while a process warms up: expected, not an error."""
    monkeypatch.setattr(background, "state", "warming")
    with caplog.at_level("INFO", logger="django.request"):
        assert client.get("/healthz").status_code == 503
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_a_warm_server_reports_ok(site):
    assert call(f"{site.url}/healthz") == (200, {"status": "ok"})
