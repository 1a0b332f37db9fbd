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
    # The history spans matches, cohorts and conversations: see `startup_history_for_actor`.
    path("startups/<int:pk>/history/", api.StartupHistoryView.as_view(), name="startup-history"),
    path("ws-ticket/", api.WebSocketTicketView.as_view(), name="ws-ticket"),
]
