"""What chat adds to each user's notification socket (given it in `backend/config/routing.py`): the
groups of the conversations the user takes part in, and `message.new`, derived from the one
event a new message publishes to its conversation."""

from __future__ import annotations

from backend.chat import selectors
from backend.chat.models import Message
from backend.chat.services import PREVIEW_LENGTH, conversation_group
from backend.notifications.feeds import Feed

OPENS_A_CONVERSATION = frozenset({"conversation.opened", "conversation.invited"})


def conversation_groups(user_id: int) -> list[str]:
    return [conversation_group(pk) for pk in selectors.conversation_ids_of_user(user_id)]


def conversation_opened(notification: dict) -> list[str]:
    if notification.get("type") not in OPENS_A_CONVERSATION:
        return []
    return [conversation_group(notification["conversation"])]


def message_new(event: dict, user_id: int) -> dict | None:
    """For a user among the message's readers other than its sender; `to` holds the readers
    whose right (an active account included) was read when the message was stored."""
    message = event["message"]
    mine = message["sender"]["id"] == user_id
    # An event message's own notification is stored and sent by the service that recorded it.
    told = message["kind"] == Message.Kind.EVENT
    if mine or told or user_id not in event.get("to", ()):
        return None
    return {
        "type": "message.new",
        "conversation": message["conversation"],
        "seq": message["seq"],
        "sender": message["sender"],
        "organization": message["organization"],
        "preview": message["body"][:PREVIEW_LENGTH],
    }


CHAT_FEED = Feed(
    groups_of_user=conversation_groups,
    groups_opened_by=conversation_opened,
    # Typing and read state are for the conversation's own sockets.
    notices={"chat.message": message_new, "chat.typing": None, "chat.read": None},
)
