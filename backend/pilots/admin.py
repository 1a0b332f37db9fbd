from django.contrib import admin

from backend.pilots.models import Outcome, Pilot, PilotUpdate


class PilotUpdateInline(admin.TabularInline):
    model = PilotUpdate
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Pilot)
class PilotAdmin(admin.ModelAdmin):
    list_display = ["match", "state", "starts_on", "ends_on", "decision", "created_at"]
    list_filter = ["state", "decision", "terms", "ip_terms"]
    search_fields = ["question", "match__challenge__title", "match__startup__name"]
    raw_id_fields = [
        "match",
        "decision_owner",
        "proposed_by",
        "accepted_by",
        "decided_by",
        "closed_by",
    ]
    inlines = [PilotUpdateInline]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["match", "kind", "amount", "currency", "date", "confirmed_at"]
    list_filter = ["kind", "currency"]
    search_fields = ["match__challenge__title", "match__startup__name"]
    raw_id_fields = ["match", "pilot", "recorded_by", "confirmed_by"]
