from django.urls import path

from backend.chat import api

urlpatterns = [
    path("conversations/", api.ConversationListView.as_view(), name="conversation-list"),
    path(
        "conversations/<int:pk>/", api.ConversationDetailView.as_view(), name="conversation-detail"
    ),
    path(
        "conversations/<int:pk>/messages/", api.MessagesView.as_view(), name="conversation-messages"
    ),
    path("conversations/<int:pk>/read/", api.ReadView.as_view(), name="conversation-read"),
    path(
        "conversations/<int:pk>/invite-operator/",
        api.InviteOperatorView.as_view(),
        name="conversation-invite-operator",
    ),
    path("ws-ticket/", api.WebSocketTicketView.as_view(), name="ws-ticket"),
]
