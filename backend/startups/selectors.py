from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.accounts.selectors import Actor
from backend.startups.models import StartupProfile


def profiles_visible_to(actor: Actor) -> QuerySet[StartupProfile]:
    """Published profiles for everyone signed in; unpublished: their startup and operators."""
    qs = StartupProfile.objects.select_related("organization")
    if actor.is_operator:
        return qs
    if actor.organization is None:
        return qs.none()
    return qs.filter(Q(published=True) | Q(organization_id=actor.organization_id))


def profile_of(actor: Actor) -> StartupProfile | None:
    if not actor.is_startup:
        return None
    return StartupProfile.objects.filter(organization_id=actor.organization_id).first()
