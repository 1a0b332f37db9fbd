from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.accounts.api import OrganizationSerializer
from backend.accounts.models import Organization
from backend.accounts.permissions import OrganizationRolePermission
from backend.accounts.viewsets import EditViewSet, for_actor
from backend.common.errors import NotFoundError
from backend.common.filters import CommaListFilter, TrlFilter, VisibleModelChoiceFilter
from backend.common.serializers import (
    StrictCharField,
    StrictModelSerializer,
    matching_status_field,
    statement_list,
)
from backend.programs import selectors, services
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership


class AcceleratorSerializer(StrictModelSerializer):
    enterprise = OrganizationSerializer(read_only=True)

    class Meta:
        model = Accelerator
        fields = [
            "id",
            "enterprise",
            "name",
            "industry_focus",
            "description",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ChallengeSerializer(StrictModelSerializer):
    enterprise = OrganizationSerializer(source="accelerator.enterprise", read_only=True)
    required_capabilities = statement_list()
    industry_tags = statement_list(max_items=30, max_length=60)
    matching_status = matching_status_field()

    class Meta:
        model = Challenge
        # What the services and the indexer set; a firm writes Challenge.EDITABLE_FIELDS.
        read_only_fields = [
            "status",
            "published_at",
            "published_by",
            "closed_at",
            "closed_by",
            "created_at",
            "updated_at",
            "matching_status",
            "matched_at",
        ]
        fields = ["id", "enterprise", *Challenge.EDITABLE_FIELDS, *read_only_fields]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            # Only one's own accelerators can be named; others read as "does not exist".
            self.fields["accelerator"].queryset = selectors.accelerators_editable_by(actor)


class AcceleratorFilter(django_filters.FilterSet):
    enterprise = VisibleModelChoiceFilter(visible_to=for_actor(selectors.enterprises_visible_to))

    class Meta:
        model = Accelerator
        fields = ["status", "enterprise"]


class ChallengeFilter(django_filters.FilterSet):
    accelerator = VisibleModelChoiceFilter(visible_to=for_actor(selectors.accelerators_visible_to))
    tags = CommaListFilter(field_name="industry_tags")
    trl = TrlFilter(method="filter_trl", label="TRL inside the target range")

    class Meta:
        model = Challenge
        fields = ["status", "visibility", "language", "accelerator"]

    def filter_trl(self, qs, name, value):
        return qs.filter(trl_min__lte=value, trl_max__gte=value)


class AcceleratorViewSet(EditViewSet):
    """A firm's open-innovation programmes. Every signed-in user reads; the firm edits its own."""

    serializer_class = AcceleratorSerializer
    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.ENTERPRISE,)
    filterset_class = AcceleratorFilter
    search_fields = ["name", "industry_focus", "description"]
    ordering_fields = ["created_at", "name"]

    def get_queryset(self):
        if self.action in ("update", "partial_update"):
            return selectors.accelerators_editable_by(self.actor)
        return selectors.accelerators_visible_to(self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.accelerator_create(
            actor=self.actor, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.accelerator_update(
            actor=self.actor, accelerator=serializer.instance, data=serializer.validated_data
        )


class ChallengeViewSet(EditViewSet):
    """Technology challenges. Drafts: firm and operators. Confidential: also matched startups."""

    serializer_class = ChallengeSerializer
    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.ENTERPRISE,)
    filterset_class = ChallengeFilter
    search_fields = ["title", "problem_statement", "desired_outcomes"]
    ordering_fields = ["published_at", "created_at", "deadline", "title"]

    def get_queryset(self):
        if self.action in ("update", "partial_update", "publish", "close", "archive"):
            return selectors.challenges_editable_by(self.actor)
        return selectors.challenges_visible_to(self.actor)

    def get_serializer(self, *args, **kwargs):
        return super().get_serializer(*args, actor=self.actor, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.challenge_create(
            actor=self.actor, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.challenge_update(
            actor=self.actor, challenge=serializer.instance, data=serializer.validated_data
        )

    def _move(self, service):
        challenge = service(actor=self.actor, challenge=self.get_object())
        return Response(self.get_serializer(challenge).data)

    @extend_schema(request=None, responses={200: ChallengeSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Open the challenge; it is then matched against startup profiles."""
        return self._move(services.challenge_publish)

    @extend_schema(request=None, responses={200: ChallengeSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(services.challenge_close)

    @extend_schema(request=None, responses={200: ChallengeSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._move(services.challenge_archive)


class CohortSerializer(StrictModelSerializer):
    accelerator = serializers.PrimaryKeyRelatedField(queryset=Accelerator.objects.all())
    accepted_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "accelerator",
            "name",
            "intake_start",
            "intake_end",
            "capacity",
            "reply_by",
            "benefits",
            "accepted_count",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class CohortMembershipSerializer(StrictModelSerializer):
    startup = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.STARTUP),
        help_text="The startup organisation's id.",
    )
    startup_name = serializers.CharField(source="startup.name", read_only=True)
    status = serializers.ChoiceField(
        choices=CohortMembership.Status.choices, default=CohortMembership.Status.SHORTLISTED
    )

    class Meta:
        model = CohortMembership
        fields = [
            "id",
            "cohort",
            "startup",
            "startup_name",
            "status",
            "note",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["cohort", "decided_by", "decided_at", "created_at"]

    def __init__(self, *args, actor=None, for_schema=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Fails closed: without an actor known to be an operator, the private fields are left out.
        if not for_schema and (actor is None or not actor.is_operator):
            for name in CohortMembership.OPERATOR_ONLY_FIELDS:
                self.fields.pop(name, None)


class CohortMembershipSchema(OpenApiSerializerExtension):
    """The schema shows the operator-only fields too, as optional ones: answers to operators
    carry them, answers to anyone else leave them out."""

    target_class = CohortMembershipSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(
            CohortMembershipSerializer(for_schema=True), direction, bypass_extensions=True
        )
        private = CohortMembership.OPERATOR_ONLY_FIELDS
        schema["required"] = [name for name in schema.get("required", []) if name not in private]
        for name in private:
            if name in schema["properties"]:
                schema["properties"][name]["description"] = (
                    "Platform operators only: absent from answers to anyone else."
                )
        return schema


class CohortMembershipUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CohortMembership.Status.choices, required=False)
    note = StrictCharField(max_length=2_000, required=False, allow_blank=True)


class CohortFilter(django_filters.FilterSet):
    accelerator = VisibleModelChoiceFilter(visible_to=for_actor(selectors.accelerators_visible_to))

    class Meta:
        model = Cohort
        fields = ["accelerator"]


class CohortViewSet(EditViewSet):
    """An accelerator's intakes. Operators curate; the firm reads; invited startups read theirs."""

    serializer_class = CohortSerializer
    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.OPERATOR,)
    write_kinds_by_action = {
        "members": (Organization.Kind.OPERATOR,),
        "member": (Organization.Kind.OPERATOR, Organization.Kind.STARTUP),
    }
    filterset_class = CohortFilter
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.cohorts_counted_visible_to(self.actor)

    def perform_create(self, serializer):
        cohort = services.cohort_create(actor=self.actor, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=cohort.pk)

    def perform_update(self, serializer):
        cohort = services.cohort_update(
            actor=self.actor, cohort=serializer.instance, data=serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=cohort.pk)

    @extend_schema(
        methods=["get"], responses={200: CohortMembershipSerializer(many=True)}, request=None
    )
    @extend_schema(
        methods=["post"],
        request=CohortMembershipSerializer,
        responses={201: CohortMembershipSerializer},
    )
    @action(detail=True, methods=["get", "post"], serializer_class=CohortMembershipSerializer)
    def members(self, request, pk=None):
        """The cohort's startups. Operators add one as shortlisted or invited."""
        cohort = self.get_object()
        if request.method == "GET":
            memberships = selectors.cohort_memberships_visible_to(self.actor, cohort)
            page = self.paginate_queryset(self.filter_queryset_members(memberships))
            return self.get_paginated_response(
                CohortMembershipSerializer(page, many=True, actor=self.actor).data
            )
        body = CohortMembershipSerializer(data=request.data, actor=self.actor)
        body.is_valid(raise_exception=True)
        membership = services.cohort_member_add(
            actor=self.actor, cohort=cohort, **body.validated_data
        )
        return Response(CohortMembershipSerializer(membership, actor=self.actor).data, status=201)

    def filter_queryset_members(self, memberships):
        status = self.request.query_params.get("status")
        return memberships.filter(status=status) if status else memberships

    @extend_schema(
        methods=["patch"],
        request=CohortMembershipUpdateSerializer,
        responses={200: CohortMembershipSerializer},
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path=r"members/(?P<member_pk>\d+)",
        serializer_class=CohortMembershipSerializer,
    )
    def member(self, request, pk=None, member_pk=None):
        """One membership. Operators move it along; a startup accepts or declines its own."""
        cohort = self.get_object()
        membership = (
            selectors.cohort_memberships_visible_to(self.actor, cohort).filter(pk=member_pk).first()
        )
        if membership is None:
            raise NotFoundError(_("Cohort membership not found."))
        if request.method == "PATCH":
            body = CohortMembershipUpdateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            membership = services.cohort_member_update(
                actor=self.actor, membership=membership, **body.validated_data
            )
        return Response(CohortMembershipSerializer(membership, actor=self.actor).data)
