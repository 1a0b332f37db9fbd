from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from tests.chat.chats import Chat, make_chat


@pytest.fixture
def chat(db) -> Chat:
    return make_chat()


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, dict]]:
    """Every (group, message) the services hand to the channel layer, in order; each is still
    sent."""
    sent: list[tuple[str, dict]] = []
    layer = get_channel_layer()
    send = layer.group_send

    async def recorded(group: str, message: dict) -> None:
        sent.append((group, message))
        await send(group, message)

    monkeypatch.setattr(layer, "group_send", recorded)
    return sent
