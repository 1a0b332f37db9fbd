from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from backend.accounts.models import Membership, Organization, User
from backend.common.errors import ApplicationError


@transaction.atomic
def user_create_with_organization(
    *,
    email: str,
    password: str,
    organization_name: str,
    kind: str,
    full_name: str = "",
    role: str = Membership.Role.OWNER,
    validate: bool = True,
) -> User:
    """Sign up: a new user who owns a new organisation of the given kind."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "An account with this email already exists.",
            code="email_taken",
            fields={"email": ["An account with this email already exists."]},
        )
    user = User(email=email, full_name=full_name)
    if validate:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ApplicationError(
                "The password is too weak.", fields={"password": list(exc.messages)}
            ) from exc
    user.set_password(password)
    user.full_clean()
    user.save()
    organization = Organization(name=organization_name.strip(), kind=kind)
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@transaction.atomic
def membership_add(*, user: User, organization: Organization, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership
