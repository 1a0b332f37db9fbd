"""The WebSocket origin check on its own: scheme, host and port against the socket's own origin
and CSRF_TRUSTED_ORIGINS."""

from __future__ import annotations

import pytest

from backend.chat.origins import origin_allowed, parse_origin


def scope(origin: str | None, host: str | None = "testserver", scheme: str = "ws") -> dict:
    headers = []
    if host is not None:
        headers.append((b"host", host.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    "value, parsed",
    [
        ("http://Example.org", ("http", "example.org", 80)),
        ("https://example.org", ("https", "example.org", 443)),
        ("https://example.org:443", ("https", "example.org", 443)),
        ("http://127.0.0.1:8000", ("http", "127.0.0.1", 8000)),
        ("http://[::1]:8000", ("http", "[::1]", 8000)),
        ("null", None),
        ("", None),
        ("ftp://example.org", None),
        ("http://example.org:99999", None),
        ("http://user@example.org", None),
        ("http://example.org/path", None),
        ("example.org", None),
    ],
)
def test_an_origin_is_scheme_host_and_port(value, parsed):
    assert parse_origin(value) == parsed


@pytest.mark.parametrize(
    "origin, host, scheme, allowed",
    [
        ("http://testserver", "testserver", "ws", True),
        ("http://testserver:80", "testserver", "ws", True),
        ("https://testserver", "testserver", "wss", True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws", True),
        ("http://127.0.0.1:1", "127.0.0.1:8000", "ws", False),  # another port of the same host
        ("http://127.0.0.1", "127.0.0.1:8000", "ws", False),
        ("https://testserver", "testserver", "ws", False),  # another scheme
        ("http://testserver", "testserver", "wss", False),
        ("http://evil.example", "testserver", "ws", False),
        ("http://evil.example", "evil.example", "ws", False),  # a Host not in ALLOWED_HOSTS
        ("http://testserver", None, "ws", False),  # no Host: no origin of our own
        ("null", "testserver", "ws", False),
        (None, "testserver", "ws", False),  # no Origin at all
    ],
)
def test_the_same_origin_is_the_sockets_own(settings, origin, host, scheme, allowed):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    settings.CSRF_TRUSTED_ORIGINS = []
    assert origin_allowed(scope(origin, host, scheme)) is allowed


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://app.example.org", True),
        ("https://app.example.org:443", True),
        ("http://app.example.org", False),
        ("https://app.example.org:8443", False),
        ("https://eu.example.com", True),
        ("https://example.com", True),
        ("https://a.b.example.com", True),
        ("https://example.com:8443", False),
        ("http://eu.example.com", False),
        ("https://notexample.com", False),
        ("http://localhost:3000", True),
    ],
)
def test_csrf_trusted_origins_are_accepted(settings, origin, allowed):
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.CSRF_TRUSTED_ORIGINS = [
        "https://app.example.org",
        "https://*.example.com",
        "http://localhost:3000",
    ]
    assert origin_allowed(scope(origin, "testserver")) is allowed
