"""API plumbing shared by every app: the error shape, strict JSON parsing, pagination."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.common.errors import NOT_FOUND, ApplicationError, error_body

logger = logging.getLogger(__name__)


def _flatten_detail(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten_detail(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [str(item) for item in detail]
        return [_flatten_detail(item) for item in detail]
    return [str(detail)]


def _code_for(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, exceptions.ParseError):
        return "malformed_request"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render every error as {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, ApplicationError):
        return Response(exc.body(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages) if not fields else _("Some fields are invalid.")
        return Response(error_body("invalid", message, fields), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("too_large", _("The request body is too large.")), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _flatten_detail(detail)
            non_field = fields.pop("non_field_errors", None)
            message = " ".join(non_field) if non_field else _("Some fields are invalid.")
            if non_field:
                fields["non_field_errors"] = non_field
        else:
            fields = {}
            message = " ".join(_flatten_detail(detail))
        response.data = error_body("invalid", message, fields)
    else:
        response.data = error_body(_code_for(exc), str(exc.detail))
    return response


def not_found(request, exception=None):
    """API paths answer the JSON error shape; pages get the HTML one."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", NOT_FOUND), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        body = error_body("server_error", _("Something went wrong on our side."))
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
