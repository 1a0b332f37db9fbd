"""The WebSocket origin check: scheme, host and port, as a browser means "same origin".

Channels' `AllowedHostsOriginValidator` compares only the Origin's host with ALLOWED_HOSTS, so a
page on any port of an allowed host (`http://127.0.0.1:1`) could open a socket with the user's
session cookie. Here an Origin is accepted only when it is the origin of the request itself
(its `Host` header, which must be an allowed host, with `ws` -> `http`, `wss` -> `https`) or is
listed in CSRF_TRUSTED_ORIGINS (the same setting, and wildcard form, Django's CSRF check uses).
Anything else, a `null` or a missing Origin included, gets Channels' `WebsocketDenier`: HTTP 403
at the handshake."""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
SOCKET_SCHEMES = {"ws": "http", "wss": "https"}

Origin = tuple[str, str, int]  # scheme, host (lower case, IPv6 in brackets), port


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` as (scheme, host, port), the default port filled in; None for
    anything that is not an http(s) origin (`null`, a path, credentials, a bad port)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if (
        scheme not in DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def _allowed_hosts() -> list[str]:
    # As Django's HttpRequest.get_host() reads the setting.
    hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def request_origin(scope) -> Origin | None:
    """The socket's own origin, from its Host header and scheme; None when the Host is missing or
    not an allowed host (so a rebound DNS name is never "same origin")."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    scheme = SOCKET_SCHEMES.get(scope.get("scheme", "ws"))
    return parse_origin(f"{scheme}://{host}") if scheme else None


def trusted(origin: Origin) -> bool:
    """Listed in CSRF_TRUSTED_ORIGINS: exactly, or by a `https://*.example.com` wildcard."""
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        if "*" in entry:
            parts = urlsplit(entry)
            pattern = parts.netloc[parts.netloc.index("*") + 1 :].lower()  # ".example.com[:port]"
            domain, _, pattern_port = pattern.partition(":")
            wanted = int(pattern_port) if pattern_port.isdigit() else DEFAULT_PORTS.get(scheme)
            if parts.scheme.lower() == scheme and port == wanted and is_same_domain(host, domain):
                return True
        elif parse_origin(entry) == origin:
            return True
    return False


def origin_allowed(scope) -> bool:
    value = _header(scope, b"origin")
    origin = parse_origin(value) if value is not None else None
    if origin is None:
        return False
    return origin == request_origin(scope) or trusted(origin)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin1")
    return None


class SameOriginValidator:
    """Passes a socket on only when `origin_allowed`; refuses it as Channels does otherwise."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("SameOriginValidator is for WebSocket connections only")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
