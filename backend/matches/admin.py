from django.contrib import admin

from backend.matches.models import Match


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["challenge", "startup", "score", "rank", "status", "updated_at"]
    list_filter = ["status", "challenge__accelerator"]
    search_fields = ["challenge__title", "startup__name"]
    autocomplete_fields = ["challenge", "startup"]
    readonly_fields = ["components", "evidence", "created_at", "updated_at"]
