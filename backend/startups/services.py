from __future__ import annotations

from typing import Any

from django.db import transaction

from backend.accounts.selectors import Actor
from backend.common.changes import document_changed
from backend.common.errors import PermissionDeniedError
from backend.common.models import DocumentKind
from backend.startups.models import StartupProfile


@transaction.atomic
def profile_save(*, actor: Actor, data: dict[str, Any]) -> StartupProfile:
    """Create or replace the startup's own profile; a published profile is (re)matched."""
    if not actor.is_startup:
        raise PermissionDeniedError("Only a startup keeps a capability profile.")
    profile = StartupProfile.objects.select_for_update().filter(
        organization=actor.organization
    ).first() or StartupProfile(organization=actor.organization)
    for field, value in data.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    _after_profile_saved(profile)
    return profile


def _after_profile_saved(profile: StartupProfile) -> None:
    document_changed(
        kind=DocumentKind.STARTUP, document=profile, organization_id=profile.organization_id
    )
