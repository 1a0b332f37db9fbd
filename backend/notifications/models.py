from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One user's durable copy of an event (a match proposed, interest, a cohort invitation...).

    Stored in the transaction that caused it and sent live after commit, so a user whose socket
    was down still finds it; chat messages are not copied here (conversations count their own
    unread messages).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(max_length=40, verbose_name=_("kind"))
    event = models.JSONField(verbose_name=_("event"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("seen at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], name="notification_user_latest")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
