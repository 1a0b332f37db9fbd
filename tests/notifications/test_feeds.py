import pytest

from backend.chat.feed import CHAT_FEED
from backend.notifications.feeds import Feed, notices_of


def test_the_chat_feed_opens_a_conversations_group_on_its_opening_notices_only():
    assert CHAT_FEED.groups_opened_by({"type": "conversation.opened", "conversation": 7}) == [
        "chat.7"
    ]
    assert CHAT_FEED.groups_opened_by({"type": "match.connected", "conversation": 7}) == []


def test_two_feeds_cannot_both_turn_one_group_event_into_notifications():
    rival = Feed(
        groups_of_user=lambda user_id: [],
        groups_opened_by=lambda notification: [],
        notices={"chat.message": None},
    )
    assert notices_of([CHAT_FEED])["chat.message"] is CHAT_FEED.notices["chat.message"]
    with pytest.raises(ValueError, match=r"chat\.message"):
        notices_of([CHAT_FEED, rival])
