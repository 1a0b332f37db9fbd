from rest_framework import serializers


def statement_list(max_items: int = 300, max_length: int = 500) -> serializers.ListField:
    """A list of short statements or tags, each trimmed and non-empty."""
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length, trim_whitespace=True),
        max_length=max_items,
        required=False,
    )
