"""Background work of accounts, registered for the worker's task discovery.

The outbox's task is defined beside the outbox in `mail.py`, which queues it after each commit.
"""

from backend.accounts.mail import send_outgoing_mail

__all__ = ["send_outgoing_mail"]
