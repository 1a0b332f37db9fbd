from django.contrib import admin

from backend.startups.models import StartupProfile


@admin.register(StartupProfile)
class StartupProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "region", "trl", "published", "updated_at"]
    list_filter = ["stage", "published", "region", "trl"]
    search_fields = ["name", "pitch", "summary", "organization__name"]
    autocomplete_fields = ["organization"]
