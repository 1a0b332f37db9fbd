"""WebSocket authentication: the session cookie (pages) or a single-use ticket (API clients)."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from backend.chat import services


def _ticket_in(query_string: bytes) -> str | None:
    try:
        values = parse_qs(query_string.decode("ascii"), max_num_fields=10).get("ticket")
    except (UnicodeDecodeError, ValueError):
        return ""
    return values[0] if values else None


class TicketAuthMiddleware(BaseMiddleware):
    """`?ticket=` from `POST /api/ws-ticket/`: redeemed (once) for its user. A ticket that does
    not redeem leaves the socket anonymous even with a session cookie: the client asked for it."""

    async def __call__(self, scope, receive, send):
        ticket = _ticket_in(scope.get("query_string", b""))
        if ticket is not None:
            user = await database_sync_to_async(services.ws_ticket_redeem)(ticket=ticket)
            scope = dict(scope, user=user or AnonymousUser())
        return await super().__call__(scope, receive, send)


def WebSocketAuthMiddleware(inner):
    """Session cookie first (Channels' stack), then a ticket, if given, decides the user.
    It wraps the origin check (`backend/config/asgi.py`), so a presented ticket is spent even when
    the origin then refuses the socket."""
    return AuthMiddlewareStack(TicketAuthMiddleware(inner))
