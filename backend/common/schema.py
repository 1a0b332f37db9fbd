"""The OpenAPI schema's account of errors: every operation documents the error responses it can
give, all in the one error shape (`backend.common.errors.error_body`)."""

from __future__ import annotations

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code."},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Messages per invalid field (a nested object for a nested "
                    "field); empty when the error is not about fields.",
                    "additionalProperties": True,
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
# What any operation can answer: validation, authentication, rights, existence (an object the
# caller may not see answers as a missing one) and rate limits (sign-in, sign-up, chat).
EVERY_OPERATION = {
    "400": "Invalid input: `fields` says which and why.",
    "401": "Not signed in, or the token is invalid.",
    "403": "Signed in, but this role or organisation may not do this.",
    "404": "No such object, or none the caller may see.",
    "429": "Too many requests; `Retry-After` says when to try again.",
}
# A write can also meet the object in a state that forbids it (a closed challenge, a full cohort).
WRITES = {"409": "The object's current state does not allow this."}
WITH_BODY = {
    "413": "The request body is too large.",
    "415": "The body is not JSON.",
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def document_errors(result: dict, generator, request, public: bool) -> dict:
    """drf-spectacular postprocessing hook: add the error responses to every operation that
    does not document them itself."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            errors = dict(EVERY_OPERATION)
            if method in WRITE_METHODS:
                errors.update(WRITES)
            if "requestBody" in operation:
                errors.update(WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
