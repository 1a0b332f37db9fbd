from django.contrib import admin

from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership


@admin.register(Accelerator)
class AcceleratorAdmin(admin.ModelAdmin):
    list_display = ["name", "enterprise", "industry_focus", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "industry_focus", "enterprise__name"]
    autocomplete_fields = ["enterprise"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "accelerator", "status", "visibility", "language", "published_at"]
    list_filter = ["status", "visibility", "language", "accelerator"]
    search_fields = ["title", "problem_statement", "accelerator__name"]
    autocomplete_fields = ["accelerator"]
    readonly_fields = ["published_at", "created_at", "updated_at"]


class CohortMembershipInline(admin.TabularInline):
    model = CohortMembership
    extra = 0
    autocomplete_fields = ["startup"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "accelerator", "capacity", "intake_start", "intake_end"]
    list_filter = ["accelerator"]
    search_fields = ["name", "accelerator__name"]
    autocomplete_fields = ["accelerator"]
    inlines = [CohortMembershipInline]


@admin.register(CohortMembership)
class CohortMembershipAdmin(admin.ModelAdmin):
    list_display = ["startup", "cohort", "status", "decided_by", "decided_at"]
    list_filter = ["status", "cohort__accelerator"]
    search_fields = ["startup__name", "cohort__name"]
    autocomplete_fields = ["cohort", "startup"]
