from __future__ import annotations

import json

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet


def json_list_contains_any(qs: QuerySet, field: str, values: list[str]) -> QuerySet:
    """Rows whose JSON list `field` holds any of `values` (exact item match).

    PostgreSQL answers `@>` from the jsonb value. SQLite has no JSON containment lookup, so we
    match the item's exact JSON encoding (quotes included) inside the stored text, which is how
    Django writes it there.
    """
    values = [value.strip() for value in values if value.strip()]
    if not values:
        return qs
    condition = Q()
    for value in values:
        if connection.vendor == "postgresql":
            condition |= Q(**{f"{field}__contains": [value]})
        else:
            condition |= Q(**{f"{field}__contains": json.dumps(value)})
    return qs.filter(condition)


class CommaListFilter(django_filters.CharFilter):
    """`?tags=a,b`: rows whose JSON list holds any of the comma-separated items."""

    def filter(self, qs, value):
        if not value:
            return qs
        return json_list_contains_any(qs, self.field_name, value.split(",")[:20])
