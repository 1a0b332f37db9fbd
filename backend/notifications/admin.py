from django.contrib import admin

from backend.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "created_at", "seen_at"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "kind", "event", "created_at", "seen_at"]
