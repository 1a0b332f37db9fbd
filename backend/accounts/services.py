from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from backend.accounts import links
from backend.accounts.mail import mail_queue
from backend.accounts.models import Membership, Organization, User
from backend.common.errors import ApplicationError

INVALID_LINK = "This link is invalid or has already been used."


def _validate_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ApplicationError(
            "The password is too weak.", fields={"password": list(exc.messages)}
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
            "An account with this email already exists.",
            code="email_taken",
            fields={"email": ["An account with this email already exists."]},
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
def membership_add(*, user: User, organization: Organization, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership


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
    """A new password through a mailed link, which also proves the address: it is verified."""
    _validate_new_password(password, user)
    user.set_password(password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
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
