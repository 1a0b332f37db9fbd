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
    # When it left by mail (alone or in a digest): each notification is mailed at most once.
    mailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("mailed at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_user_latest"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(mailed_at__isnull=True),
                name="notification_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("By mail at once")
    DAILY = "daily", _("In a daily digest")
    OFF = "off", _("Not by mail")


class NotificationPreference(models.Model):
    """How one user hears, by mail, of one group of notifications (`groups.GROUPS`); without a
    row, the group's default applies. The site shows every notification either way."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    group = models.CharField(max_length=30, verbose_name=_("group"))
    delivery = models.CharField(max_length=20, choices=Delivery.choices, verbose_name=_("delivery"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="unique_notification_group")
        ]

    def __str__(self) -> str:
        return f"{self.group} for {self.user_id}: {self.delivery}"
