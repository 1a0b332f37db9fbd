from django.contrib import admin

from backend.matches.models import ApplicationAttachment, Match


class AttachmentInline(admin.TabularInline):
    """An application's PDFs, listed by name and size; the file itself is read on the pages,
    where the reader's rights are checked."""

    model = ApplicationAttachment
    fields = ["name", "size", "uploaded_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["challenge", "startup", "origin", "score", "rank", "status", "updated_at"]
    list_filter = ["status", "origin", "reason_code", "challenge__accelerator"]
    search_fields = ["challenge__title", "startup__name"]
    autocomplete_fields = ["challenge", "startup"]
    readonly_fields = ["components", "evidence", "created_at", "updated_at"]
    inlines = [AttachmentInline]
