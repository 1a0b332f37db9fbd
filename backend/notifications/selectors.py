from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.notifications.groups import GROUPS, Group
from backend.notifications.models import Notification, NotificationPreference


def notifications_for(user: User, *, before: int | None = None) -> QuerySet[Notification]:
    """The user's own notifications, newest first; `before` pages back by id."""
    qs = Notification.objects.filter(user=user)
    return qs if before is None else qs.filter(pk__lt=before)


def unseen_count(user: User) -> int:
    return Notification.objects.filter(user=user, seen_at__isnull=True).count()


def notification_preferences_for(user: User) -> dict[str, str]:
    """The user's mail delivery for each group, the group's default where they chose none."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("group", "delivery"))
    return {group.key: stored.get(group.key, group.default) for group in GROUPS}


def deliveries_for(user_ids: Iterable[int], group: Group) -> dict[int, str]:
    """Each user's delivery for one group."""
    user_ids = list(user_ids)
    stored = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, group=group.key).values_list(
            "user_id", "delivery"
        )
    )
    return {user_id: stored.get(user_id, group.default) for user_id in user_ids}
