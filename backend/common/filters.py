from __future__ import annotations

import json

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast


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


class CommaListFilter(django_filters.CharFilter):
    """`?tags=a,b`: rows whose JSON list holds any of the comma-separated items."""

    def filter(self, qs, value):
        if not value:
            return qs
        return json_list_contains_any(qs, self.field_name, value.split(",")[:20])
