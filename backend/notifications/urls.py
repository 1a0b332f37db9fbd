from django.urls import path

from backend.notifications import api

urlpatterns = [
    path("notifications/", api.NotificationsView.as_view(), name="notifications"),
    path("notifications/seen/", api.SeenView.as_view(), name="notifications-seen"),
    path(
        "notifications/preferences/",
        api.PreferencesView.as_view(),
        name="notification-preferences",
    ),
]
