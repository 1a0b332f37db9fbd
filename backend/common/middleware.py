"""HTTP plumbing every request passes through before any view."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from backend.common.errors import error_body

LENGTH_REQUIRED = "Send the body with a Content-Length header; chunked bodies are not accepted."


class LengthRequiredMiddleware:
    """A body sent with `Transfer-Encoding` (chunked, no Content-Length) answers 411 before any
    view reads it: Django would read it as empty, so the request would fail as "field
    required" or, worse, succeed without its data; and no size limit would apply to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_TRANSFER_ENCODING" not in request.META:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("length_required", LENGTH_REQUIRED), status=411)
        return HttpResponse(LENGTH_REQUIRED, status=411, content_type="text/plain; charset=utf-8")
