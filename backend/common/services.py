"""What the apps' write services share."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.common.errors import ApplicationError


def fields_assign(
    instance: models.Model, data: dict[str, Any], *, editable: frozenset[str]
) -> None:
    """Set the given fields, only those a caller may write, and check the row (not saved)."""
    unknown = set(data) - editable
    if unknown:
        raise ApplicationError(
            _("Not editable: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
