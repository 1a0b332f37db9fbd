from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import Membership, Organization, User


@dataclass(frozen=True)
class Actor:
    """Who is asking: the user and the organisation they act for (None if they have none)."""

    user: User
    organization: Organization | None
    role: str | None

    @property
    def kind(self) -> str | None:
        return self.organization.kind if self.organization else None

    @property
    def is_operator(self) -> bool:
        return self.kind == Organization.Kind.OPERATOR

    @property
    def is_enterprise(self) -> bool:
        return self.kind == Organization.Kind.ENTERPRISE

    @property
    def is_startup(self) -> bool:
        return self.kind == Organization.Kind.STARTUP

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization else None


def actor_for(user: User, *, fresh: bool = False) -> Actor:
    """The organisation a user acts for: their first membership (one in practice).

    The answer is cached on the user object. A long-lived holder of that object (a WebSocket)
    passes `fresh=True` to re-read it, in one query, and to replace the cache: a deactivated
    user then acts for no organisation.
    """
    cached = getattr(user, "_actor", None)
    if cached is not None and not fresh:
        return cached
    membership = None
    if user.is_authenticated:
        memberships = Membership.objects.select_related("organization").filter(user=user)
        if fresh:
            memberships = memberships.filter(user__is_active=True)
        membership = memberships.order_by("created_at", "id").first()
    actor = Actor(
        user=user,
        organization=membership.organization if membership else None,
        role=membership.role if membership else None,
    )
    if user.is_authenticated:
        user._actor = actor
    return actor


def user_is_active(user_id: int) -> bool:
    return User.objects.filter(pk=user_id, is_active=True).exists()


def organization_user_ids(organization_id: int) -> list[int]:
    return list(
        Membership.objects.filter(organization_id=organization_id).values_list("user_id", flat=True)
    )


def operator_user_ids() -> list[int]:
    return list(
        Membership.objects.filter(organization__kind=Organization.Kind.OPERATOR).values_list(
            "user_id", flat=True
        )
    )
