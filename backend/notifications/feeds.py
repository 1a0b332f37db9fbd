"""What the apps above add to every user's notification socket: the groups the socket joins
besides the user's own, and how those groups' events become the user's notifications. The socket
is built with its feeds where the routes are wired (`backend/config/routing.py`), so it lives with
the notifications while each app keeps its own events: a chat message, say, is published once to
its conversation and each participant's socket derives `message.new` from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# A group event and the socket's user -> that user's notification, or None: not for them.
Notice = Callable[[dict, int], dict | None]


@dataclass(frozen=True)
class Feed:
    # The groups a user's socket joins when it opens (read in a worker thread).
    groups_of_user: Callable[[int], list[str]]
    # The groups a notification sent to the user makes the socket join from then on.
    groups_opened_by: Callable[[dict], list[str]]
    # By group event type: its notice, or None for events meant for the group's other sockets.
    notices: Mapping[str, Notice | None]


def notices_of(feeds: Iterable[Feed]) -> dict[str, Notice | None]:
    """The feeds' notices by group event type; two feeds may not claim the same event."""
    merged: dict[str, Notice | None] = {}
    for feed in feeds:
        shared = merged.keys() & feed.notices.keys()
        if shared:
            raise ValueError(f"Group events fed twice to the notification socket: {sorted(shared)}")
        merged.update(feed.notices)
    return merged
