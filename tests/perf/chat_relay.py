"""The chat benchmark's baseline: a minimal WebSocket relay, served by the same uvicorn.

    uvicorn tests.perf.chat_relay:application

No Django, no database, no channel layer. Each `send` frame is acked to its sender and echoed as
a `message`, numbered per path like the platform numbers per conversation, to every socket of the
same path (the sender's included). What the platform costs beyond this is its stack.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict

ROOMS: dict[str, set[asyncio.Queue]] = defaultdict(set)
LAST_SEQ: dict[str, int] = defaultdict(int)


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            event = await receive()
            await send({"type": event["type"] + ".complete"})
            if event["type"] == "lifespan.shutdown":
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    path = scope["path"]
    room, outbox = ROOMS[path], asyncio.Queue()
    room.add(outbox)

    async def pump() -> None:
        while True:
            await send({"type": "websocket.send", "text": await outbox.get()})

    writer = asyncio.create_task(pump())
    try:
        while (event := await receive())["type"] == "websocket.receive":
            frame = json.loads(event["text"])
            LAST_SEQ[path] += 1
            seq = LAST_SEQ[path]
            outbox.put_nowait(
                json.dumps({"type": "ack", "client_msg_id": frame["client_msg_id"], "seq": seq})
            )
            message = json.dumps({"type": "message", "message": {"seq": seq, **frame}})
            for member in room:
                member.put_nowait(message)
    finally:
        room.discard(outbox)
        writer.cancel()
