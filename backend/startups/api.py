from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Organization
from backend.accounts.permissions import OrganizationRolePermission
from backend.accounts.selectors import actor_for
from backend.accounts.viewsets import ActorMixin, ReadViewSet
from backend.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from backend.common.filters import CommaListFilter, TrlFilter
from backend.common.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictModelSerializer,
    matching_status_field,
    statement_list,
)
from backend.startups import roster, selectors, services
from backend.startups.models import Credential, StartupProfile


class CredentialSerializer(StrictModelSerializer):
    """A growth-ladder credential. `verified_at` is null until an operator checks it; `expired`
    says that its expiry date has passed."""

    expired = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = [
            "id",
            "kind",
            "certificate_number",
            "issued_on",
            "expires_on",
            "expired",
            "verified_at",
            "created_at",
        ]
        read_only_fields = ["verified_at", "created_at"]

    def get_expired(self, credential: Credential) -> bool:
        return credential.is_expired()


class StartupProfileSerializer(StrictModelSerializer):
    # Strict: `"name": 0` or `"published": 0` is a type error (400), not "0" or false.
    name = StrictCharField(max_length=200)
    published = StrictBooleanField(required=False)
    matching_status = matching_status_field()
    capabilities = statement_list()
    technology_tags = statement_list(max_items=30, max_length=60)
    industries = statement_list(max_items=30, max_length=60)
    languages = statement_list(max_items=10, max_length=20)
    credentials = serializers.SerializerMethodField(
        help_text="Its growth-ladder credentials; none while its profile is withheld from you."
    )

    class Meta:
        model = StartupProfile
        fields = [
            "id",
            "organization",
            "name",
            "pitch",
            "summary",
            "capabilities",
            "technology_tags",
            "industries",
            "stage",
            "team_size",
            "founded_year",
            "city",
            "region",
            "website",
            "trl",
            "languages",
            "published",
            "created_at",
            "updated_at",
            "matching_status",
            "matched_at",
            "credentials",
        ]
        read_only_fields = [
            "organization",
            "created_at",
            "updated_at",
            "matching_status",
            "matched_at",
        ]

    @extend_schema_field(CredentialSerializer(many=True))
    def get_credentials(self, profile: StartupProfile) -> list:
        request = self.context.get("request")
        actor = actor_for(request.user) if request is not None else None
        return CredentialSerializer(selectors.credentials_shown(actor, profile), many=True).data


class StartupProfileFilter(django_filters.FilterSet):
    tags = CommaListFilter(field_name="technology_tags")
    industries = CommaListFilter(field_name="industries")
    trl_min = TrlFilter(field_name="trl", lookup_expr="gte")
    trl_max = TrlFilter(field_name="trl", lookup_expr="lte")
    region = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = StartupProfile
        fields = ["stage", "published"]


class StartupProfileViewSet(ReadViewSet):
    """Startup capability profiles. A startup edits only its own, at `/api/startups/me/`."""

    serializer_class = StartupProfileSerializer
    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.STARTUP,)
    filterset_class = StartupProfileFilter
    search_fields = ["name", "pitch", "summary", "city", "region"]
    ordering_fields = ["name", "updated_at", "founded_year"]

    def get_queryset(self):
        return selectors.profiles_visible_to(self.actor)

    @extend_schema(methods=["get"], responses={200: StartupProfileSerializer})
    @extend_schema(
        methods=["put", "patch"],
        request=StartupProfileSerializer,
        responses={200: StartupProfileSerializer, 201: StartupProfileSerializer},
    )
    @action(detail=False, methods=["get", "put", "patch"])
    def me(self, request):
        """The requesting startup's own profile; PUT creates or replaces it."""
        if not self.actor.is_startup:
            raise PermissionDeniedError(_("Only a startup keeps a capability profile."))
        profile = selectors.profile_of(self.actor)
        if request.method == "GET":
            if profile is None:
                raise NotFoundError(_("Your startup has no profile yet; PUT one here."))
            return Response(self.get_serializer(profile).data)
        body = StartupProfileSerializer(
            profile, data=request.data, partial=request.method == "PATCH" and profile is not None
        )
        body.is_valid(raise_exception=True)
        saved = services.profile_save(actor=self.actor, data=body.validated_data)
        return Response(
            self.get_serializer(saved).data,
            status=status.HTTP_201_CREATED if profile is None else status.HTTP_200_OK,
        )


class CredentialsView(ActorMixin, APIView):
    """The requesting startup's growth-ladder credentials: list them, or record one
    (unverified until an operator checks it). 403 for anyone but a startup."""

    @extend_schema(responses={200: CredentialSerializer(many=True)})
    def get(self, request):
        if not self.actor.is_startup:
            raise PermissionDeniedError(_("Only a startup records its credentials."))
        return Response(CredentialSerializer(selectors.credentials_of(self.actor), many=True).data)

    @extend_schema(request=CredentialSerializer, responses={201: CredentialSerializer})
    def post(self, request):
        body = CredentialSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        credential = services.credential_add(actor=self.actor, data=body.validated_data)
        return Response(CredentialSerializer(credential).data, status=status.HTTP_201_CREATED)


class CredentialView(ActorMixin, APIView):
    """One of the requesting startup's credentials (404 for anyone else's). A change clears its
    verification."""

    @extend_schema(request=CredentialSerializer, responses={200: CredentialSerializer})
    def patch(self, request, pk: int):
        credential = selectors.credentials_of(self.actor).filter(pk=pk).first()
        if credential is None:
            raise NotFoundError()
        body = CredentialSerializer(credential, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        saved = services.credential_update(
            actor=self.actor, credential_id=pk, data=body.validated_data
        )
        return Response(CredentialSerializer(saved).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.credential_remove(actor=self.actor, credential_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CredentialVerifyView(ActorMixin, APIView):
    """An operator marks a credential verified; 404 for everyone else."""

    @extend_schema(request=None, responses={200: CredentialSerializer})
    def post(self, request, pk: int):
        credential = services.credential_verify(actor=self.actor, credential_id=pk)
        return Response(CredentialSerializer(credential).data)


class ImportedStartupSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The startup's (unpublished) profile.")
    organization = serializers.IntegerField(source="organization_id")
    name = serializers.CharField()
    credit_code = serializers.CharField(source="organization.credit_code")


class RosterResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    startups = ImportedStartupSerializer(many=True)


class RosterView(ActorMixin, APIView):
    """An operator imports a roster of startups: a CSV or XLSX `file` (at most 2 MB, 500 rows)
    whose first row names the columns `name`, `credit code`, `contact email`, and optionally
    `website` and `summary` (or their Chinese names: 名称, 统一社会信用代码, 联系邮箱, 网站, 简介).

    Each row becomes an unclaimed startup with an unpublished profile, and its contact is
    mailed a single-use link to claim it. All or nothing: when any row is wrong, none is
    imported and the 400 lists every problem, by line, in `fields.file`. 403 for anyone but an
    operator."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "RosterUpload", {"file": serializers.FileField()}
            )
        },
        responses={201: RosterResultSerializer},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(
                _("Send the roster as the `file` field."), fields={"file": [_("Required.")]}
            )
        report = roster.roster_import(
            actor=self.actor,
            file_name=upload.name or "",
            content=upload.read(roster.MAX_BYTES + 1),
        )
        if report.problems:
            raise ApplicationError(
                _("The roster was not imported: fix these lines and upload it again."),
                code="invalid_roster",
                fields={"file": [str(problem) for problem in report.problems]},
            )
        return Response(
            RosterResultSerializer(
                {"imported": len(report.imported), "startups": report.imported}
            ).data,
            status=status.HTTP_201_CREATED,
        )
