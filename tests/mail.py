"""A real SMTP server for tests (aiosmtpd on a free loopback port) that keeps what it receives."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.servers import free_port

LINK = re.compile(r"https?://\S+/(?P<uid>[\w-]+)/(?P<token>[\w-]+)/")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def link(self, part: str) -> tuple[str, str, str]:
        """The first link whose path holds `part`: the URL, its uid and its token."""
        for match in LINK.finditer(self.body):
            if part in match.group(0):
                return match.group(0), match.group("uid"), match.group("token")
        raise AssertionError(f"no link with {part!r} in:\n{self.body}")


class Inbox:
    """What the SMTP server received, in order; `wait` for mail sent in the background."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        message: EmailMessage = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        body = message.get_body(("plain",)).get_content()
        # An encoded subject may be folded onto a line of its own: unfold it.
        subject = " ".join(str(message["subject"]).split())
        with self._arrived:
            for to in envelope.rcpt_tos:
                self.mails.append(Mail(to=to, subject=subject, body=body))
            self._arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.mails if mail.to == address]

    def wait(self, address: str, count: int = 1, timeout: float = 60) -> list[Mail]:
        """The first `count` mails to `address`, once they have arrived."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.to(address)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {count} mail(s) to {address}: {self.mails}")
                self._arrived.wait(left)
        return self.to(address)[:count]


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Inbox, str]]:
    """A running SMTP server: its inbox and the EMAIL_URL that reaches it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
