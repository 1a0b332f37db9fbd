from django.db import connection
from django.http import JsonResponse

from backend.matches.worker import background


def healthz(request) -> JsonResponse:
    """Readiness for load balancers and container health checks: the database answers, and
    matching has warmed up (the model is loaded and the search spaces are built). While it warms,
    503 `warming`, so a proxy sends users to processes that are ready."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if background.state == "warming":
        response = JsonResponse({"status": "warming"}, status=503)
        # Expected while a process starts, and polled: not an error line each time (Django's
        # request logger skips a response marked as logged). The log says when matching is ready.
        response._has_been_logged = True
        return response
    return JsonResponse({"status": "ok"})
