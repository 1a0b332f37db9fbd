"""When a user loses their rights (a membership removed, the account deactivated), their open
sockets, in every server process, are told to check them again at once (after the commit)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from backend.accounts.models import Membership, User
from backend.common.events import access_group, publish_on_commit

ACCESS_CHANGED = {"type": "access.changed"}


@receiver(post_delete, sender=Membership)
def membership_removed(sender, instance: Membership, **kwargs) -> None:
    publish_on_commit(ACCESS_CHANGED, to=access_group(instance.user_id))


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, **kwargs) -> None:
    if not instance.is_active:
        publish_on_commit(ACCESS_CHANGED, to=access_group(instance.pk))
