from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.startups.models import Credential, StartupProfile


@admin.register(StartupProfile)
class StartupProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "region", "trl", "published", "updated_at"]
    list_filter = ["stage", "published", "region", "trl"]
    search_fields = ["name", "pitch", "summary", "organization__name"]
    autocomplete_fields = ["organization"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "certificate_number", "issued_on", "expires_on"]
    list_filter = ["kind", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["organization__name", "certificate_number"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["verified_at", "verified_by"]
    actions = ["mark_verified"]

    @admin.action(description=_("Mark verified"))
    def mark_verified(self, request, queryset) -> None:
        queryset.update(verified_at=timezone.now(), verified_by=request.user)

    def save_model(self, request, obj, form, change) -> None:
        # What was verified is no longer what the credential says.
        if change and form.changed_data:
            obj.verified_at = None
            obj.verified_by = None
        super().save_model(request, obj, form, change)
