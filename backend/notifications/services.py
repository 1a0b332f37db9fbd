"""Durable notifications: stored with the change that caused them, sent live after commit, and
mailed as each user chose for its group: at once (queued in the same transaction), in a daily
digest, or not at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from backend.accounts.mail import mail_queue
from backend.accounts.models import User
from backend.accounts.selectors import actor_for
from backend.common.errors import ApplicationError
from backend.common.events import publish_on_commit
from backend.notifications.groups import BY_KEY, group_of
from backend.notifications.models import Delivery, Notification, NotificationPreference
from backend.notifications.selectors import deliveries_for, notification_preferences_for
from backend.notifications.texts import describe, event_path

# A digest catches up on what happened this long ago at most (a missed day included).
DIGEST_LOOKBACK = timedelta(days=3)


def notify(*, event: dict, user_ids: Iterable[int]) -> list[Notification]:
    """Store `event` for each user now; once the transaction commits, send each user their copy
    with its `id`, which a client uses to tell a replayed notification from a live one."""
    rows = Notification.objects.bulk_create(
        Notification(user_id=user_id, kind=event["type"], event=event)
        for user_id in sorted(set(user_ids))
    )
    _mail_at_once(rows)
    for row in rows:
        publish_on_commit({**event, "id": row.pk}, to=[row.user_id])
    return rows


def notifications_mark_seen(
    *, user: User, up_to: int | None = None, ids: Iterable[int] = ()
) -> int:
    """Mark the user's notifications seen: every one up to `up_to`, and those in `ids`.
    Another user's ids are ignored. Returns how many remain unseen."""
    unseen = Notification.objects.filter(user=user, seen_at__isnull=True)
    if up_to is not None:
        unseen.filter(pk__lte=up_to).update(seen_at=timezone.now())
    ids = list(ids)
    if ids:
        unseen.filter(pk__in=ids).update(seen_at=timezone.now())
    return unseen.count()


def notifications_mark_all_seen(*, user: User) -> None:
    Notification.objects.filter(user=user, seen_at__isnull=True).update(seen_at=timezone.now())


def _mailable(user_ids: Iterable[int]) -> dict[int, User]:
    """Who may get mail: active accounts whose address is verified."""
    users = User.objects.filter(pk__in=set(user_ids), is_active=True, email_verified=True)
    return {user.pk: user for user in users}


def _own(row: Notification) -> bool:
    """Nobody is mailed about what they did themselves."""
    return row.event.get("by") == row.user_id


def _mail(user: User, rows: list[Notification], template: str) -> None:
    """Queue one mail to `user` holding `rows`, in their language."""
    for_startup = actor_for(user).is_startup
    with translation.override(user.language):
        items = [
            {
                "text": describe(row.event),
                "url": settings.SITE_URL + event_path(row.event, for_startup=for_startup),
            }
            for row in rows
        ]
    mail_queue(user=user, template=template, context={"items": items, "count": len(items)})


def _mail_at_once(rows: list[Notification]) -> None:
    rows = [row for row in rows if not _own(row)]
    if not rows:
        return
    group = group_of(rows[0].kind)
    users = _mailable(row.user_id for row in rows)
    deliveries = deliveries_for(users, group)
    mailed = [row for row in rows if deliveries.get(row.user_id) == Delivery.IMMEDIATELY]
    for row in mailed:
        _mail(users[row.user_id], [row], "notifications/mail/notification")
    Notification.objects.filter(pk__in=[row.pk for row in mailed]).update(mailed_at=timezone.now())


def digests_send() -> int:
    """Mail each user who chose a daily digest what happened since the last one (at most
    DIGEST_LOOKBACK ago); returns how many digests were queued.

    Idempotent: a notification is claimed (its `mailed_at` set) in the transaction that queues
    its digest, so a second run, or two at once, never mail it again."""
    now = timezone.now()
    pending = Notification.objects.filter(
        mailed_at__isnull=True, created_at__gte=now - DIGEST_LOOKBACK
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in pending.order_by("id"):
        if not _own(row):
            by_user[row.user_id].append(row)
    users = _mailable(by_user)
    queued = 0
    for user_id, rows in by_user.items():
        user = users.get(user_id)
        if user is None:
            continue
        deliveries = notification_preferences_for(user)
        daily = [row.pk for row in rows if deliveries[group_of(row.kind).key] == Delivery.DAILY]
        queued += digest_queue(user=user, notification_ids=daily, now=now)
    return queued


@transaction.atomic
def digest_queue(*, user: User, notification_ids: list[int], now) -> bool:
    """Claim those of the notifications that no digest has taken yet (since they were read)
    and queue them as one digest to `user`; whether there was any."""
    mine = Notification.objects.filter(user=user, pk__in=notification_ids)
    mine.filter(mailed_at__isnull=True).update(mailed_at=now)
    claimed = list(mine.filter(mailed_at=now).order_by("id"))
    if claimed:
        _mail(user, claimed, "notifications/mail/digest")
    return bool(claimed)


@transaction.atomic
def notification_preferences_set(*, user: User, deliveries: dict[str, str]) -> dict[str, str]:
    """Set the user's mail delivery for the groups given; returns every group's delivery."""
    for key, delivery in deliveries.items():
        if key not in BY_KEY or delivery not in Delivery.values:
            raise ApplicationError(_("No such group or delivery."), fields={key: [_("Not valid.")]})
        NotificationPreference.objects.update_or_create(
            user=user, group=key, defaults={"delivery": delivery}
        )
    return notification_preferences_for(user)
