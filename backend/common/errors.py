"""The project's one error type. Services raise it; the API and consumers render it the same way."""

from __future__ import annotations


class ApplicationError(Exception):
    """A failure the client caused or can act on, with a stable machine-readable code."""

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApplicationError):
    """Raised for objects that do not exist *or* that the user may not see: no existence leak."""

    status_code = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found")


class PermissionDeniedError(ApplicationError):
    status_code = 403

    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(message, code="permission_denied")


class InvalidTransitionError(ApplicationError):
    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_transition")


class RateLimitedError(ApplicationError):
    status_code = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, code="rate_limited")


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
