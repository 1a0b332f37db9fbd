"""The project's one error type and its one shape. Services raise it with a translatable message and
a stable code; the API, the sockets and the pages render it in the reader's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What users read: a translatable sentence (`gettext_lazy`), rendered in the reader's language.
Text = str | Promise
NOT_FOUND = _("Not found.")
NOT_ALLOWED = _("You may not do this.")


class ApplicationError(Exception):
    """A failure the client caused or can act on, with a stable machine-readable code."""

    status_code = 400

    def __init__(
        self,
        message: Text,
        *,
        code: str = "invalid",
        fields: dict[str, list[Text]] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code

    def body(self) -> dict:
        return error_body(self.code, self.message, self.fields)


class NotFoundError(ApplicationError):
    """Raised for objects that do not exist *or* that the user may not see: no existence leak."""

    status_code = 404

    def __init__(self, message: Text = NOT_FOUND) -> None:
        super().__init__(message, code="not_found")


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message: Text = NOT_ALLOWED) -> None:
        super().__init__(message, code="permission_denied")


class InvalidTransitionError(ApplicationError):
    status_code = 409

    def __init__(self, message: Text) -> None:
        super().__init__(message, code="invalid_transition")


class RateLimitedError(ApplicationError):
    status_code = 429

    def __init__(self, message: Text) -> None:
        super().__init__(message, code="rate_limited")


def error_body(code: str, message: Text, fields: dict | None = None) -> dict:
    """The one error shape, in the active language: the API's answers, the sockets' error frames
    and the pages' JSON answers all say an error this way."""
    return {"error": {"code": code, "message": str(message), "fields": _said(fields or {})}}


def _said(fields: dict) -> dict:
    """Field messages as plain strings, nested serializers' included."""
    return {
        name: _said(value)
        if isinstance(value, dict)
        else [_said(item) if isinstance(item, dict) else str(item) for item in value]
        for name, value in fields.items()
    }
