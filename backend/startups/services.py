from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import Actor
from backend.common.changes import document_changed
from backend.common.errors import NotFoundError, PermissionDeniedError
from backend.common.models import DocumentKind
from backend.common.services import fields_assign
from backend.startups.models import Credential, StartupProfile
from backend.startups.selectors import credentials_of


@transaction.atomic
def profile_save(*, actor: Actor, data: dict[str, Any]) -> StartupProfile:
    """Create or replace the startup's own profile; a published profile is (re)matched."""
    if not actor.is_startup:
        raise PermissionDeniedError(_("Only a startup keeps a capability profile."))
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


CREDENTIAL_FIELDS = frozenset({"kind", "certificate_number", "issued_on", "expires_on"})


def _own_credential(actor: Actor, credential_id: int) -> Credential:
    credential = credentials_of(actor).select_for_update().filter(pk=credential_id).first()
    if credential is None:
        raise NotFoundError()
    return credential


@transaction.atomic
def credential_add(*, actor: Actor, data: dict[str, Any]) -> Credential:
    """A startup records a credential it holds; an operator verifies it later."""
    if not actor.is_startup:
        raise PermissionDeniedError(_("Only a startup records its credentials."))
    credential = Credential(organization=actor.organization)
    fields_assign(credential, data, editable=CREDENTIAL_FIELDS)
    credential.save()
    return credential


@transaction.atomic
def credential_update(*, actor: Actor, credential_id: int, data: dict[str, Any]) -> Credential:
    """A startup corrects its own credential; what an operator verified is then no longer what
    it says, so a change clears the verification."""
    credential = _own_credential(actor, credential_id)
    changed = any(getattr(credential, field) != value for field, value in data.items())
    fields_assign(credential, data, editable=CREDENTIAL_FIELDS)
    if changed:
        credential.verified_at = None
        credential.verified_by = None
    credential.save()
    return credential


@transaction.atomic
def credential_remove(*, actor: Actor, credential_id: int) -> None:
    _own_credential(actor, credential_id).delete()


@transaction.atomic
def credential_verify(*, actor: Actor, credential_id: int) -> Credential:
    """An operator confirms a credential against its certificate; no one else sees the action."""
    credential = (
        Credential.objects.select_for_update().filter(pk=credential_id).first()
        if actor.is_operator
        else None
    )
    if credential is None:
        raise NotFoundError()
    credential.verified_at = timezone.now()
    credential.verified_by = actor.user
    credential.save(update_fields=["verified_at", "verified_by"])
    return credential
