from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.common.credit_code import is_valid_credit_code
from backend.common.models import acting_user_field

if TYPE_CHECKING:
    from backend.accounts.selectors import Actor


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The email address is the login."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, verbose_name=_("is staff"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    date_joined = models.DateTimeField(default=timezone.now, verbose_name=_("date joined"))
    # Accounts made by an administrator, a command or the demo are trusted; only a sign-up
    # starts unverified, and cannot sign in until its mailed link is followed.
    email_verified = models.BooleanField(default=True, verbose_name=_("email verified"))
    # The language of the mail this person gets: set at sign-up, updated when they switch.
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        verbose_name=_("language"),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    _actor: Actor  # cached by `accounts.selectors.actor_for`, not stored

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


def validate_credit_code(value: str) -> None:
    if not is_valid_credit_code(value):
        raise ValidationError(
            _(
                "Not a valid unified social credit code: 18 characters, and the last one must "
                "match the others (GB 32100-2015)."
            ),
            code="invalid_credit_code",
        )


class Organization(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        STARTUP = "startup", _("Startup")
        OPERATOR = "operator", _("Platform operator")

    name = models.CharField(max_length=200, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, db_index=True, verbose_name=_("kind")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    members = models.ManyToManyField(
        User, through="Membership", related_name="organizations", verbose_name=_("members")
    )
    # Blank where there is none: the innovation centre of a foreign firm, or a team not yet
    # registered. Set, it names one organisation only.
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    registered_district = models.CharField(
        _("registered district"), max_length=100, blank=True, help_text=_("For example 静安区.")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    # An operator checked the code and the registration; a new code must be checked again.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = acting_user_field(_("verified by"))
    # A startup an operator brought in with a roster, until its invited contact claims it by
    # setting a password (through the invitation or a password reset: either proves the address).
    unclaimed = models.BooleanField(_("unclaimed"), default=False)
    # When its invitation last went out (the import, or an operator's resend).
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="unique_credit_code",
                violation_error_message=_(
                    "Another organisation already has this unified social credit code."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.MEMBER, verbose_name=_("role")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} as {self.role}"


class OutgoingMail(models.Model):
    """A mail waiting to leave (a durable outbox): written in the transaction that caused it,
    already rendered in the recipient's language, and sent after commit in the background.
    A failed send is tried again later. The row stays as a record; its body (which may hold a
    single-use link) is dropped once sent."""

    to = models.EmailField(verbose_name=_("to"))
    subject = models.CharField(max_length=255, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("body"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outgoingmail_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
