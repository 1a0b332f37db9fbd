from rest_framework import serializers

from backend.common.fields import validate_statements


class StrictCharField(serializers.CharField):
    """A string and nothing else: a number or a list is a type error, not text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: no "12", no 12.0, no true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false and nothing else: no 0, no "yes", no "true"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def statement_list(
    max_items: int = validate_statements.max_items, max_length: int = validate_statements.max_length
) -> serializers.ListField:
    """A list of short statements or tags, each trimmed and non-empty."""
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length, trim_whitespace=True),
        max_length=max_items,
        required=False,
    )
