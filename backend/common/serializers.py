import re

from django.db import models
from rest_framework import serializers

from backend.common.fields import validate_statements
from backend.common.models import MatchingStatus


class StrictCharField(serializers.CharField):
    """A string and nothing else: a number or a list is a type error, not text. Its length is
    the length sent, as the schema's `maxLength` says, before any trimming."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# The largest id a database row can have (a signed 64-bit integer): a bound on every id a
# client sends, where a larger one would overflow the database driver.
ID_MAX = 2**63 - 1


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


class StrictDateField(serializers.DateField):
    """A day written as the schema's `format: date` says, YYYY-MM-DD, and nothing else: no
    "2026-1-5", no "20260105", no time of day."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class StrictDecimalField(serializers.DecimalField):
    """An amount written as a JSON string ("50000.00"), as it is returned and documented: a
    JSON number would pass through binary floating point first."""

    default_error_messages = {"invalid": 'Write the amount as a string, such as "50000.00".'}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A model serializer whose text, whole-number and yes/no fields take only their JSON type
    (`"description": 0` is a type error, not "0"), as the schema documents them."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictCharField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.PositiveBigIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
        models.DecimalField: StrictDecimalField,
        models.DateField: StrictDateField,
    }

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """A read-only choice that may be blank is returned as "" until it is set: documented
        as that blank choice (DRF drops `allow_blank` from every read-only field)."""
        blank_choice = kwargs.get("allow_blank") and "choices" in kwargs
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank_choice and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


def statement_list(
    max_items: int = validate_statements.max_items, max_length: int = validate_statements.max_length
) -> serializers.ListField:
    """A list of short statements or tags, each trimmed and non-empty."""
    return serializers.ListField(
        child=StrictCharField(max_length=max_length, trim_whitespace=True),
        max_length=max_items,
        required=False,
    )


def matching_status_field() -> serializers.ChoiceField:
    """Where matching stands for a challenge or profile: "" until it is first submitted,
    documented as the blank choice it is returned as."""
    return serializers.ChoiceField(choices=MatchingStatus.choices, allow_blank=True, read_only=True)
