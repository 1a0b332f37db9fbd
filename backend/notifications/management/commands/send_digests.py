from django.core.management.base import BaseCommand

from backend.accounts.mail import outbox_send
from backend.notifications.services import digests_send


class Command(BaseCommand):
    help = (
        "Mail the daily digests now (Celery beat or the embedded server does it at DIGEST_HOUR). "
        "Each notification is mailed at most once, however often it runs."
    )

    def handle(self, *args, **options):
        queued = digests_send()
        # No server's sender runs in this process: the digests leave from here.
        sent = outbox_send()
        self.stdout.write(f"{queued} digests queued, {sent} mails sent.")
