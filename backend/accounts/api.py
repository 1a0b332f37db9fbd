from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Organization
from backend.accounts.selectors import actor_for
from backend.accounts.services import (
    organization_update,
    organization_verify,
    password_reset_confirm,
    password_reset_request,
    user_signup,
    user_verify_email,
)
from backend.accounts.throttles import AddressThrottledView, is_locked_out, locked_out_error
from backend.common.credit_code import normalize_credit_code
from backend.common.errors import ApplicationError, NotFoundError
from backend.common.serializers import StrictCharField, StrictModelSerializer


class OrganizationSerializer(StrictModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class CreditCodeField(StrictCharField):
    """A unified social credit code as people type it: spaces dropped, letters upper-cased."""

    def to_internal_value(self, data):
        return normalize_credit_code(super().to_internal_value(data))


class OrganizationRegistrationSerializer(StrictModelSerializer):
    """An organisation's registration: its credit code (blank where it has none, such as a
    foreign firm's centre), district and founding date; `verified_at` is set by an operator."""

    credit_code = CreditCodeField(max_length=40, required=False, allow_blank=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "credit_code",
            "registered_district",
            "founded_on",
            "verified_at",
        ]
        read_only_fields = ["name", "kind", "verified_at"]

    def validate_credit_code(self, value: str) -> str:
        # After normalising: the model's check runs on the code as stored.
        if value:
            for validator in Organization._meta.get_field("credit_code").validators:
                try:
                    validator(value)
                except DjangoValidationError as exc:
                    raise serializers.ValidationError(exc.messages) from exc
        return value


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    organization = OrganizationSerializer(allow_null=True)
    role = serializers.CharField(allow_null=True)


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)
    full_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    organization_name = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(
        choices=[Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP],
        help_text="Operators are created by an administrator, not by sign-up.",
    )


class LinkSerializer(serializers.Serializer):
    """The `uid` and `token` of a mailed link (the last two parts of its path)."""

    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(LinkSerializer):
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)


DetailSerializer = inline_serializer("Detail", {"detail": serializers.CharField()})

UNVERIFIED_MESSAGE = _("Verify your email address first: follow the link in the mail we sent you.")


class AnonymousView(APIView):
    """For callers not signed in (yet): anyone may call, and no credentials are read."""

    permission_classes = [AllowAny]
    authentication_classes: list = []


class TokenView(AddressThrottledView, AnonymousView):
    """Exchange an email and password for an API token (`Authorization: Token <token>`).

    Answers 429 (with Retry-After) past the sign-in rate of an address, and for an account that
    failed too often from this address, even with the right password."""

    throttle_scope = "login"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request, email=body.validated_data["email"], password=body.validated_data["password"]
        )
        if user is None:
            # axes saw the request (it is passed on) and flags it when the account is locked out.
            if is_locked_out(request):
                raise locked_out_error(request)
            raise ApplicationError(
                _("The email or password is wrong."), code="invalid_credentials", status_code=400
            )
        if not user.email_verified:
            # Told only to whoever knows the password: it reveals nothing to anyone else.
            raise ApplicationError(UNVERIFIED_MESSAGE, code="email_unverified", status_code=400)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class SignupView(AddressThrottledView, AnonymousView):
    """Create an account and its organisation (a firm or a startup), unverified: a link to
    verify the address is mailed, and the account signs in once it is followed.

    The answer is the same whether the address already has an account or not (its owner is
    mailed instead). Answers 429 (with Retry-After) past the sign-up rate of an address."""

    throttle_scope = "signup"

    @extend_schema(request=SignupSerializer, responses={202: DetailSerializer})
    def post(self, request):
        body = SignupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user_signup(**body.validated_data, language=translation.get_language())
        return Response(
            {"detail": "Check your inbox: we sent a link to verify your address."},
            status=status.HTTP_202_ACCEPTED,
        )


class VerifyEmailView(AnonymousView):
    """Verify an address with the `uid` and `token` of the mailed link; the link works once."""

    @extend_schema(request=LinkSerializer, responses={200: DetailSerializer})
    def post(self, request):
        body = LinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user_verify_email(**body.validated_data)
        return Response({"detail": "Your address is verified: you can sign in."})


class PasswordResetView(AddressThrottledView, AnonymousView):
    """Mail a link to set a new password to the account with this address, if there is one.

    Answers 202 whatever the address; 429 (with Retry-After) past the rate of a client address."""

    throttle_scope = "password_reset"

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: DetailSerializer})
    def post(self, request):
        body = PasswordResetRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        password_reset_request(**body.validated_data)
        return Response(
            {"detail": "If an account has this address, a link to set a new password is sent."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(AnonymousView):
    """Set a new password with the `uid` and `token` of a reset link; the link works once."""

    @extend_schema(request=PasswordResetConfirmSerializer, responses={200: DetailSerializer})
    def post(self, request):
        body = PasswordResetConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        password_reset_confirm(**body.validated_data)
        return Response({"detail": "Your password is set: you can sign in."})


class MeView(APIView):
    """Who am I: the user, the organisation they act for, and their role in it."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        actor = actor_for(request.user)
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "email": user.email,
                    "full_name": user.full_name,
                    "organization": actor.organization,
                    "role": actor.role,
                }
            ).data
        )


class OrganizationMeView(APIView):
    """The requesting user's organisation and its registration. Any member reads it; only an
    owner or admin changes it (403 for others). A new credit code clears the verification."""

    @extend_schema(responses={200: OrganizationRegistrationSerializer})
    def get(self, request):
        organization = actor_for(request.user).organization
        if organization is None:
            raise NotFoundError(_("You belong to no organisation."))
        return Response(OrganizationRegistrationSerializer(organization).data)

    @extend_schema(
        request=OrganizationRegistrationSerializer,
        responses={200: OrganizationRegistrationSerializer},
    )
    def patch(self, request):
        actor = actor_for(request.user)
        if actor.organization is None:
            raise NotFoundError(_("You belong to no organisation."))
        body = OrganizationRegistrationSerializer(
            actor.organization, data=request.data, partial=True
        )
        body.is_valid(raise_exception=True)
        saved = organization_update(actor=actor, data=body.validated_data)
        return Response(OrganizationRegistrationSerializer(saved).data)


class OrganizationVerifyView(APIView):
    """An operator marks an organisation's registration verified; 404 for everyone else, 400
    when it has no credit code. Verifying again renews the date."""

    @extend_schema(request=None, responses={200: OrganizationRegistrationSerializer})
    def post(self, request, pk: int):
        organization = organization_verify(actor=actor_for(request.user), organization_id=pk)
        return Response(OrganizationRegistrationSerializer(organization).data)
