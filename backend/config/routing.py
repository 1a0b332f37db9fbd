from django.urls import path, re_path

from backend.chat.consumers import ChatConsumer
from backend.chat.feed import CHAT_FEED
from backend.common.sockets import UnknownPathConsumer
from backend.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi(feeds=(CHAT_FEED,))),
    re_path(r"", UnknownPathConsumer.as_asgi()),
]
