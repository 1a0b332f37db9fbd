import pytest

from backend.chat.feed import CHAT_FEED
from backend.notifications import feeds
from backend.notifications.feeds import Feed, register_feed


def test_an_apps_feed_is_registered_once_however_often_its_app_loads():
    before = dict(feeds.notices())
    register_feed(CHAT_FEED)
    assert feeds.notices() == before
    assert feeds.groups_opened_by({"type": "conversation.opened", "conversation": 7}) == ["chat.7"]


def test_two_feeds_cannot_both_turn_one_group_event_into_notifications():
    rival = Feed(
        groups_of_user=lambda user_id: [],
        groups_opened_by=lambda notification: [],
        notices={"chat.message": None},
    )
    with pytest.raises(ValueError, match=r"chat\.message"):
        register_feed(rival)
    assert feeds.notices()["chat.message"] is CHAT_FEED.notices["chat.message"]
