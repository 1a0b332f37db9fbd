from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.accounts.models import Organization
from backend.accounts.permissions import OrganizationRolePermission
from backend.accounts.viewsets import ReadViewSet
from backend.common.errors import NotFoundError, PermissionDeniedError
from backend.common.filters import CommaListFilter, TrlFilter
from backend.common.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictModelSerializer,
    matching_status_field,
    statement_list,
)
from backend.startups import selectors, services
from backend.startups.models import StartupProfile


class StartupProfileSerializer(StrictModelSerializer):
    # Strict: `"name": 0` or `"published": 0` is a type error (400), not "0" or false.
    name = StrictCharField(max_length=200)
    published = StrictBooleanField(required=False)
    matching_status = matching_status_field()
    capabilities = statement_list()
    technology_tags = statement_list(max_items=30, max_length=60)
    industries = statement_list(max_items=30, max_length=60)
    languages = statement_list(max_items=10, max_length=20)

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
        ]
        read_only_fields = [
            "organization",
            "created_at",
            "updated_at",
            "matching_status",
            "matched_at",
        ]


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
            raise PermissionDeniedError("Only a startup keeps a capability profile.")
        profile = selectors.profile_of(self.actor)
        if request.method == "GET":
            if profile is None:
                raise NotFoundError("Your startup has no profile yet; PUT one here.")
            return Response(StartupProfileSerializer(profile).data)
        body = StartupProfileSerializer(
            profile, data=request.data, partial=request.method == "PATCH" and profile is not None
        )
        body.is_valid(raise_exception=True)
        saved = services.profile_save(actor=self.actor, data=body.validated_data)
        return Response(
            StartupProfileSerializer(saved).data,
            status=status.HTTP_201_CREATED if profile is None else status.HTTP_200_OK,
        )
