"""`/ws/notifications/`: one socket per signed-in user, server to client only (see
docs/websocket.md). It carries the notifications the services publish to the user, and those
its feeds derive from the groups it joins (`backend.notifications.feeds`), given where the
routes are wired."""

from __future__ import annotations

from collections.abc import Sequence

from channels.db import database_sync_to_async

from backend.accounts.selectors import user_is_active
from backend.common.events import user_group
from backend.common.sockets import CLOSE_NOT_AUTHENTICATED, JsonSocket
from backend.notifications.feeds import Feed, notices_of


class NotificationConsumer(JsonSocket):
    def __init__(self, *args, feeds: Sequence[Feed] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.feeds = feeds
        self.notices = notices_of(feeds)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return await self.refuse(CLOSE_NOT_AUTHENTICATED)
        self.user_id = user.pk
        await self.join(user_group(user.pk))
        await self.watch_access(user.pk)
        for group in await database_sync_to_async(self._groups_of_user)(user.pk):
            await self.join(group)
        await self.accept()

    async def still_allowed(self) -> bool:
        # This socket needs no organisation (it is refused only to the anonymous), so losing a
        # membership does not close it: the organisation's events stop reaching that user at
        # once, since their recipients are read when each is published.
        return await database_sync_to_async(user_is_active)(self.user_id)

    def _groups_of_user(self, user_id: int) -> list[str]:
        return [group for feed in self.feeds for group in feed.groups_of_user(user_id)]

    async def dispatch(self, message):
        if message["type"] not in self.notices:
            return await super().dispatch(message)
        notice = self.notices[message["type"]]
        # A notice reads only the event, which holds who may read it: no query here.
        event = None if notice is None or self.revoked else notice(message, self.user_id)
        if event is not None:
            await self.send_json({"type": "notification", "event": event})

    async def notify(self, event: dict) -> None:
        if await self.revoked_now():
            return
        notification = event["event"]
        for feed in self.feeds:
            for group in feed.groups_opened_by(notification):
                await self.join(group)
        await self.send_json({"type": "notification", "event": notification})
