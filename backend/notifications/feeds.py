"""What the apps above add to every user's notification socket, registered in their `ready()`:
the groups the socket joins besides the user's own, and how those groups' events become the
user's notifications. So the socket lives with the notifications while each app keeps its own
events: a chat message, say, is published once to its conversation and each participant's
socket derives `message.new` from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


_feeds: list[Feed] = []
_notices: dict[str, Notice | None] = {}


def register_feed(feed: Feed) -> None:
    if feed in _feeds:
        return
    shared = _notices.keys() & feed.notices.keys()
    if shared:
        raise ValueError(f"Group events already fed to the notification socket: {sorted(shared)}")
    _feeds.append(feed)
    _notices.update(feed.notices)


def groups_of_user(user_id: int) -> list[str]:
    return [group for feed in _feeds for group in feed.groups_of_user(user_id)]


def groups_opened_by(notification: dict) -> list[str]:
    return [group for feed in _feeds for group in feed.groups_opened_by(notification)]


def notices() -> Mapping[str, Notice | None]:
    return _notices
