from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Membership, Organization, OutgoingMail, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "email_verified", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "email_verified", "memberships__organization__kind"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "email_verified", "password", "full_name", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "credit_code",
        "registered_district",
        "verified_at",
        "created_at",
    ]
    list_filter = ["kind", ("verified_at", admin.EmptyFieldListFilter), "unclaimed"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["verified_at", "verified_by", "unclaimed"]
    actions = ["mark_verified"]
    inlines = [MembershipInline]

    @admin.action(description=_("Mark the registration verified"))
    def mark_verified(self, request, queryset) -> None:
        queryset.exclude(credit_code="").update(
            verified_at=timezone.now(), verified_by=request.user
        )

    def save_model(self, request, obj, form, change) -> None:
        # A new code is not the one that was checked.
        if change and "credit_code" in form.changed_data:
            obj.verified_at = None
            obj.verified_by = None
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox, to see what was sent and what failed; mail is written by the platform only."""

    list_display = ["to", "subject", "created_at", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
