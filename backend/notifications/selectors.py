from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.notifications.models import Notification


def notifications_for(user: User, *, before: int | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first; `before` pages back by id."""
    qs = Notification.objects.filter(user=user)
    return qs if before is None else qs.filter(pk__lt=before)


def unseen_count(user: User) -> int:
    return Notification.objects.filter(user=user, seen_at__isnull=True).count()
