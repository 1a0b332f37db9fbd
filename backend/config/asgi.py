"""ASGI entry point: HTTP to Django; WebSockets through authentication (session cookie or
single-use ticket), then the origin check, then routing. Authentication comes first so that a
ticket is spent on its first presentation, even when the origin then refuses the socket."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from backend.accounts.mail import in_process_sender  # noqa: E402
from backend.chat.middleware import WebSocketAuthMiddleware  # noqa: E402
from backend.chat.origins import SameOriginValidator  # noqa: E402
from backend.common.background import with_loops  # noqa: E402
from backend.common.periodic import HourlyJobs  # noqa: E402
from backend.config.routing import websocket_urlpatterns  # noqa: E402
from backend.matches.services import matches_remind_overdue  # noqa: E402
from backend.matches.worker import lifespan  # noqa: E402
from backend.notifications.digests import daily_digests  # noqa: E402
from backend.pilots.services import pilots_alert  # noqa: E402

# Without Celery beat, the embedded default runs these hourly in the server (beat's schedule
# in settings names the same jobs as tasks).
hourly_jobs = HourlyJobs(matches_remind_overdue, pilots_alert)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The server's start and stop: matching warms up, and on the embedded default indexes,
        # sends the mail outbox and the daily digests, and runs the hourly jobs.
        "lifespan": with_loops(lifespan, in_process_sender, daily_digests, hourly_jobs),
        "websocket": WebSocketAuthMiddleware(SameOriginValidator(URLRouter(websocket_urlpatterns))),
    }
)
