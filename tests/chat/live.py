"""Talking to a real server's sockets from a test: open one, read its frames, send."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.servers import Server


def ws_url(server: Server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def socket(server: Server, path: str, session: str | None = None, origin: str | None = None):
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    return connect(
        ws_url(server, path),
        origin=origin or f"http://127.0.0.1:{server.port}",
        additional_headers=headers,
        proxy=None,
        open_timeout=10,
    )


async def next_frame(ws: ClientConnection, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def close_code(ws: ClientConnection) -> int:
    """The code the server closed with, checking that it sent nothing first."""
    with pytest.raises(ConnectionClosed) as closed:
        frame = await asyncio.wait_for(ws.recv(), 10)
        pytest.fail(f"a refused socket sent {frame!r}")
    return closed.value.rcvd.code


class Reader:
    """Reads one socket in the background, keeping what arrives by type."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws, self.frames = ws, []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                self.frames.append(json.loads(raw))

    def of(self, kind: str) -> list[dict]:
        return [frame for frame in self.frames if frame["type"] == kind]

    def seqs(self) -> list[int]:
        return [frame["message"]["seq"] for frame in self.of("message")]

    async def wait_for(self, condition, timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not condition(self):
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def send(ws: ClientConnection, client_msg_id: str, body: str | None = None) -> None:
    await ws.send(
        json.dumps({"type": "send", "client_msg_id": client_msg_id, "body": body or client_msg_id})
    )
