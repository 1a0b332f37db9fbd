from django.contrib import admin

from backend.reviews.models import Criterion, InternalNote, Review, ReviewScore, Rubric


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["challenge", "updated_by", "updated_at"]
    search_fields = ["challenge__title"]
    raw_id_fields = ["challenge", "updated_by"]
    inlines = [CriterionInline]


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    raw_id_fields = ["criterion"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["match", "reviewer", "updated_at"]
    search_fields = ["reviewer__email", "match__challenge__title", "match__startup__name"]
    raw_id_fields = ["match", "reviewer"]
    inlines = [ReviewScoreInline]


@admin.register(InternalNote)
class InternalNoteAdmin(admin.ModelAdmin):
    list_display = ["match", "author", "created_at"]
    search_fields = ["text", "match__challenge__title"]
    raw_id_fields = ["match", "author"]
