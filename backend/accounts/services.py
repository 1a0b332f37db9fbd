from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts import links
from backend.accounts.mail import mail_queue
from backend.accounts.models import Membership, Organization, User
from backend.accounts.selectors import Actor
from backend.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from backend.common.services import fields_assign

INVALID_LINK = _("This link is invalid or has already been used.")
# The roles that change what the organisation says about itself.
ORGANIZATION_EDITORS = frozenset({Membership.Role.OWNER, Membership.Role.ADMIN})


def _validate_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            _("The password is too weak."), fields={"password": list(exc.messages)}
        ) from exc


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
    email_verified: bool = True,
    language: str = settings.LANGUAGE_CODE,
) -> User:
    """A new user who owns a new organisation of the given kind (by an administrator, a command
    or `user_signup`)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            _("An account with this email already exists."),
            code="email_taken",
            fields={"email": [_("An account with this email already exists.")]},
        )
    user = User(email=email, full_name=full_name, email_verified=email_verified, language=language)
    if validate:
        _validate_new_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    organization = Organization(name=organization_name.strip(), kind=kind)
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    organization_name: str,
    kind: str,
    language: str,
    full_name: str = "",
) -> None:
    """Sign up, answering the same whether the address has an account or not: a new address
    gets an unverified account and a link to verify it; the owner of an existing one is told
    that someone tried, with a link to set a new password."""
    # The same checks and the same hashing work either way, so neither the answer nor its
    # delay tells whether the address has an account.
    _validate_new_password(password, User(email=email.strip().lower(), full_name=full_name))
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        make_password(password)
        if existing.is_active:
            mail_queue(
                user=existing,
                template="accounts/mail/signup_existing",
                context={"reset_url": links.reset_url(existing)},
            )
        return
    user = user_create_with_organization(
        email=email,
        password=password,
        organization_name=organization_name,
        kind=kind,
        full_name=full_name,
        email_verified=False,
        language=language,
        validate=False,
    )
    mail_queue(
        user=user,
        template="accounts/mail/verify_email",
        context={"verify_url": links.verification_url(user)},
    )


def user_check_verification_link(*, uid: str, token: str) -> User:
    """The user a verification link is for, while it still works."""
    user = links.user_from_uid(uid)
    if (
        user is None
        or user.email_verified
        or not links.verification_tokens.check_token(user, token)
    ):
        raise ApplicationError(INVALID_LINK, code="invalid_link")
    return user


@transaction.atomic
def user_verify_email(*, uid: str, token: str) -> User:
    """Follow a verification link: the address is verified, and the link spent."""
    user = user_check_verification_link(uid=uid, token=token)
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    return user


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Mail a password-reset link to the account with this address, if there is one; nothing
    tells the caller whether there was."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None:
        mail_queue(
            user=user,
            template="accounts/mail/password_reset",
            context={"reset_url": links.reset_url(user)},
        )


def user_set_password_from_link(*, user: User, password: str) -> User:
    """A new password through a mailed link, which also proves the address: it is verified,
    and an organisation waiting for its invited contact is theirs now (claimed)."""
    _validate_new_password(password, user)
    user.set_password(password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    Organization.objects.filter(memberships__user=user, unclaimed=True).update(unclaimed=False)
    return user


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, password: str) -> User:
    """Set a new password with a reset link's uid and token; the link works once (its token
    covers the password it replaces)."""
    user = links.user_from_uid(uid)
    if user is None or not links.reset_tokens.check_token(user, token):
        raise ApplicationError(INVALID_LINK, code="invalid_link")
    return user_set_password_from_link(user=user, password=password)


def user_set_language(*, user: User, language: str) -> None:
    """The language the user's mail is written in, from their choice on the site."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


CREDIT_CODE_TAKEN = _("Another organisation already has this unified social credit code.")
ORGANIZATION_FIELDS = frozenset({"credit_code", "registered_district", "founded_on"})


def _credit_code_taken() -> ApplicationError:
    return ApplicationError(
        CREDIT_CODE_TAKEN, code="credit_code_taken", fields={"credit_code": [CREDIT_CODE_TAKEN]}
    )


def credit_code_check_free(credit_code: str, *, organization: Organization | None = None) -> None:
    """A set code names one organisation only (the database says so too; this says it with the
    field's name)."""
    taken = Organization.objects.filter(credit_code=credit_code)
    if organization is not None:
        taken = taken.exclude(pk=organization.pk)
    if credit_code and taken.exists():
        raise _credit_code_taken()


def organization_save(organization: Organization) -> None:
    """Save a checked organisation. Another request may take the same credit code between the
    check and this save: the unique constraint then refuses it, in a savepoint (the caller's
    transaction goes on), and the refusal is the check's own field error."""
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        credit_code_check_free(organization.credit_code, organization=organization)
        raise  # another constraint: not the client's to fix


@transaction.atomic
def organization_update(*, actor: Actor, data: dict[str, Any]) -> Organization:
    """The actor's own organisation's registration, by its owner or an admin. A new credit code
    was not checked by an operator: its verification is cleared."""
    if actor.organization is None or actor.role not in ORGANIZATION_EDITORS:
        raise PermissionDeniedError(_("Only an owner or admin of the organisation can change it."))
    organization = Organization.objects.select_for_update().get(pk=actor.organization.pk)
    if "credit_code" in data:
        credit_code_check_free(data["credit_code"], organization=organization)
        if data["credit_code"] != organization.credit_code:
            organization.verified_at = None
            organization.verified_by = None
    fields_assign(organization, data, editable=ORGANIZATION_FIELDS)
    organization_save(organization)
    return organization


@transaction.atomic
def organization_verify(*, actor: Actor, organization_id: int) -> Organization:
    """An operator confirms an organisation's registration (its code, district and founding)."""
    if not actor.is_operator:
        raise NotFoundError()
    organization = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if organization is None:
        raise NotFoundError()
    if not organization.credit_code:
        raise ApplicationError(
            _("An organisation without a credit code cannot be verified."),
            code="credit_code_missing",
        )
    organization.verified_at = timezone.now()
    organization.verified_by = actor.user
    organization.save(update_fields=["verified_at", "verified_by"])
    return organization
