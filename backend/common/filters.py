from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from backend.common.errors import Text


def json_list_contains_any(qs: QuerySet, field: str, values: list[str]) -> QuerySet:
    """Rows whose JSON list `field` holds any of `values` (exact item match).

    PostgreSQL answers `@>` from the jsonb value. SQLite has no JSON containment lookup, so we
    match the item's exact JSON encoding (quotes included) inside the stored JSON text.
    """
    values = [value.strip() for value in values if value.strip()]
    if not values:
        return qs
    if connection.vendor == "postgresql":
        condition = Q()
        for value in values:
            condition |= Q(**{f"{field}__contains": [value]})
        return qs.filter(condition)
    alias = f"{field.replace('__', '_')}_json_text"
    condition = Q()
    for value in values:
        condition |= Q(**{f"{alias}__icontains": json.dumps(value)})
    return qs.alias(**{alias: Cast(field, TextField())}).filter(condition)


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number within `bounds` (no upper bound: None); a decimal or one out of bounds
    answers 400, where it would silently filter on something else."""

    field_class = forms.IntegerField
    bounds: tuple[int, int | None] = (1, None)

    def __init__(self, *args, **kwargs):
        low, high = self.bounds
        kwargs.setdefault("min_value", low)
        if high is not None:
            kwargs.setdefault("max_value", high)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9})
class TrlFilter(WholeNumberFilter):
    """A Technology Readiness Level, 1 to 9."""

    bounds = (1, 9)


@extend_schema_field({"type": "integer", "minimum": 1})
class RankFilter(WholeNumberFilter):
    """A position in a ranking, from 1 (`?max_rank=10`: the top ten)."""


class CommaListFilter(django_filters.CharFilter):
    """`?tags=a,b`: rows whose JSON list holds any of the comma-separated items."""

    def filter(self, qs, value):
        if not value:
            return qs
        return json_list_contains_any(qs, self.field_name, value.split(",")[:20])


VisibleRows = Callable[[Any], QuerySet]


class VisibleChoicesMixin:
    """An id filter whose choices are only the rows the requesting user may see.

    `visible_to(request)` answers them, from the same scoped selector that guards the detail
    route (bind one with `backend.accounts.viewsets.for_actor`), so an id the user may not see
    answers exactly as one that does not exist: 400 "Select a valid choice". A fixed
    `queryset` is refused: it would make the filter an oracle of the ids the detail route hides.
    `visible_to` is also called with `None` where there is no request; it must then answer none.
    """

    def __init__(self, *args, visible_to: VisibleRows, **kwargs):
        if "queryset" in kwargs:
            raise TypeError("An id filter takes `visible_to`, never a fixed `queryset`.")
        self.visible_to = visible_to
        super().__init__(*args, queryset=visible_to, **kwargs)


class VisibleModelChoiceFilter(VisibleChoicesMixin, django_filters.ModelChoiceFilter):
    """`?challenge=<id>`: one id, among the rows the requesting user may see."""


class VisibleModelMultipleChoiceFilter(
    VisibleChoicesMixin, django_filters.ModelMultipleChoiceFilter
):
    """`?challenge=<id>&challenge=<id>`: several ids, among the rows the user may see."""


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a typed filter (a number, a choice, an id, a yes/no)
    given a value it cannot read answers 400, where django-filter would drop the filter and
    list everything: `?status=`, `?published=null`. Text filters may be empty. Any filter given
    twice (`?trl_max=3&trl_max=`) answers 400 too."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            unreadable = {
                name: [problem]
                for name, declared in filterset.filters.items()
                if name in request.query_params
                and (problem := _unreadable(declared, request.query_params.getlist(name)))
            }
            if unreadable:
                raise ValidationError(unreadable)
        return filterset


def _unreadable(declared: django_filters.Filter, values: list[str]) -> Text | None:
    # django-filter would read the last and drop the others without a word.
    if len(values) > 1:
        return _("Give this filter once.")
    if isinstance(declared, django_filters.CharFilter):
        return None
    if not any(values):
        return _("Give a value, or leave the filter out.")
    if isinstance(declared, django_filters.BooleanFilter) and not set(values) <= {"true", "false"}:
        return _("Enter true or false.")
    return None
