"""Browser tests: the real ASGI app under uvicorn, driven by Debian's Chromium through Playwright.

The server runs in its own process on its own throwaway database (SQLite file, or a PostgreSQL
database created and dropped here when the tests run on PostgreSQL), seeded by tests/web/seed.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mail import Inbox, smtp_server
from tests.servers import Server, seeded_server
from tests.web.seed import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"no browser at {CHROMIUM}: install Debian's Chromium "
        "(apt-get install -y chromium fonts-noto-cjk) to run the browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass
class Site:
    url: str
    seed: dict
    server: Server
    inbox: Inbox  # the mail the server sent


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    # Every browser signs in from 127.0.0.1, a few dozen times a minute: above a person's
    # per-address rate, which tests/accounts/test_brute_force.py holds the platform to.
    with (
        smtp_server() as (inbox, email_url),
        seeded_server(
            tmp_path_factory.mktemp("web-live"),
            "tests.web.seed",
            LOGIN_RATE_PER_ADDRESS="600/min",
            EMAIL_URL=email_url,
        ) as (server, seed),
    ):
        yield Site(server.url, seed, server, inbox)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(site, browser) -> Iterator[Callable]:
    """`open_page(email=None, lang="en", width=1360)`: a page in a fresh browser context,
    signed in through the sign-in form when an email is given."""
    contexts = []

    def make(
        email: str | None = None,
        *,
        lang: str = "en",
        width: int = 1360,
        height=900,
        touch: bool = False,
    ):
        context = browser.new_context(
            base_url=site.url,
            viewport={"width": width, "height": height},
            locale="zh-CN" if lang == "zh-hans" else "en-US",
            has_touch=touch,
            is_mobile=touch,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if lang != "en":
            context.add_cookies([{"name": "django_language", "value": lang, "url": site.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        if email:
            sign_in(page, email)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            assert not page.js_errors, f"JavaScript errors on {page.url}: {page.js_errors}"
        context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
