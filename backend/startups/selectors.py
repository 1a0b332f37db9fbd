from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.accounts.models import Organization
from backend.accounts.selectors import Actor
from backend.startups.models import Credential, StartupProfile
from backend.startups.visibility import profile_withheld


def profiles_visible_to(actor: Actor) -> QuerySet[StartupProfile]:
    """Published profiles for everyone signed in; unpublished: their startup and operators."""
    qs = StartupProfile.objects.select_related("organization").prefetch_related(
        "organization__credentials"
    )
    if actor.is_operator:
        return qs
    if actor.organization is None:
        return qs.none()
    return qs.filter(Q(published=True) | Q(organization=actor.organization))


def profile_of(actor: Actor) -> StartupProfile | None:
    if not actor.is_startup:
        return None
    return StartupProfile.objects.filter(organization=actor.organization).first()


def credentials_of(actor: Actor) -> QuerySet[Credential]:
    """The requesting startup's own credentials; none for anyone else."""
    if not actor.is_startup:
        return Credential.objects.none()
    return Credential.objects.filter(organization=actor.organization)


def credentials_shown(actor: Actor | None, profile: StartupProfile) -> list[Credential]:
    """A startup's credentials as its page and profile show them: none while the profile is
    withheld from this actor (the startup withdrew it)."""
    if profile_withheld(actor, profile):
        return []
    return list(profile.organization.credentials.all())


def unclaimed_startups() -> QuerySet[Organization]:
    """Startups brought in by a roster whose contact has not claimed them yet, with their
    contacts: for an operator, who may send an invitation again."""
    return (
        Organization.objects.filter(kind=Organization.Kind.STARTUP, unclaimed=True)
        .prefetch_related("members")
        .order_by("name", "pk")
    )
