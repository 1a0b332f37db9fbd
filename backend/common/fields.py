"""Validators for the JSON list fields (tags, capability statements) that several models hold."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class StatementListValidator:
    """A list of non-empty strings, each at most `max_length` characters."""

    def __init__(self, max_items: int, max_length: int) -> None:
        self.max_items = max_items
        self.max_length = max_length

    def __call__(self, value) -> None:
        if not isinstance(value, list):
            raise ValidationError(_("Must be a list of strings."))
        if len(value) > self.max_items:
            raise ValidationError(_("At most %(max_items)s items.") % {"max_items": self.max_items})
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise ValidationError(_("Every item must be a non-empty string."))
            if len(item) > self.max_length:
                raise ValidationError(
                    _("Every item must be at most %(max_length)s characters.")
                    % {"max_length": self.max_length}
                )

    def __eq__(self, other) -> bool:
        return isinstance(other, StatementListValidator) and (self.max_items, self.max_length) == (
            other.max_items,
            other.max_length,
        )


validate_tags = StatementListValidator(max_items=30, max_length=60)
# Capability statements: real profiles list fewer than 30 short ones; the cap bounds what one
# save may cost to embed.
validate_statements = StatementListValidator(max_items=60, max_length=300)
