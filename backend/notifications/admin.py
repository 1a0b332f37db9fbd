from django.contrib import admin

from backend.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "created_at", "seen_at"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "kind", "event", "created_at", "seen_at", "mailed_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "delivery"]
    list_filter = ["group", "delivery"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
