from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Organization
from backend.accounts.selectors import actor_for
from backend.accounts.services import user_create_with_organization
from backend.accounts.throttles import AddressThrottledView, is_locked_out, locked_out_error
from backend.common.errors import ApplicationError
from backend.common.serializers import StrictCharField, StrictModelSerializer


class OrganizationSerializer(StrictModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


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


class TokenView(AddressThrottledView, APIView):
    """Exchange an email and password for an API token (`Authorization: Token <token>`).

    Answers 429 (with Retry-After) past the sign-in rate of an address, and for an account that
    failed too often from this address, even with the right password."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
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
                "The email or password is wrong.", code="invalid_credentials", status_code=400
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class SignupView(AddressThrottledView, APIView):
    """Create an account and its organisation (a firm or a startup); answers a token.

    Answers 429 (with Retry-After) past the sign-up rate of an address."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "signup"

    @extend_schema(request=SignupSerializer, responses={201: TokenResponseSerializer})
    def post(self, request):
        body = SignupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = user_create_with_organization(**body.validated_data)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_201_CREATED)


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
