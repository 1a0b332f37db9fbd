"""The links in account mail: a user id and a token, signed with the secret key.

Both work once and expire after PASSWORD_RESET_TIMEOUT: the hash covers the state the link
changes (the verified flag; the password, as Django's reset token does), so using a link spends it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from backend.accounts.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "backend.accounts.links.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"


class ClaimTokenGenerator(PasswordResetTokenGenerator):
    """The link in a roster's invitation: it sets the first password, which spends it."""

    key_salt = "backend.accounts.links.ClaimTokenGenerator"


verification_tokens = EmailVerificationTokenGenerator()
claim_tokens = ClaimTokenGenerator()
reset_tokens = default_token_generator  # the one Django's password-reset pages check


def uid_of(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uid: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def verification_url(user: User) -> str:
    path = reverse(
        "web:verify-email",
        kwargs={"uidb64": uid_of(user), "token": verification_tokens.make_token(user)},
    )
    return settings.SITE_URL + path


def reset_url(user: User) -> str:
    path = reverse(
        "web:password-reset-confirm",
        kwargs={"uidb64": uid_of(user), "token": reset_tokens.make_token(user)},
    )
    return settings.SITE_URL + path


def claim_url(user: User) -> str:
    path = reverse(
        "web:claim", kwargs={"uidb64": uid_of(user), "token": claim_tokens.make_token(user)}
    )
    return settings.SITE_URL + path
