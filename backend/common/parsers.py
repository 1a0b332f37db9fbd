"""Request parsing: strict JSON (kept apart from views so DRF settings can import it early)."""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

JSON_WHITESPACE = " \t\n\r"


class StrictJSONParser(parsers.JSONParser):
    """JSON only, UTF-8 only, an object at the top level; anything else is a clear 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, "utf-8")
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(_("The request body is not valid UTF-8.")) from exc
        try:
            # Empty means JSON's own whitespace only: Python's strip() also drops control
            # characters (\x1c-\x1f), which JSON does not allow.
            data = (
                json.loads(text, parse_constant=reject_json_constant)
                if text.strip(JSON_WHITESPACE)
                else {}
            )
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(_("Malformed JSON: %(reason)s") % {"reason": exc}) from exc
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("The request body must be a JSON object."))
        return data


def reject_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
