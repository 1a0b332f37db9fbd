from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Organization
from backend.accounts.permissions import OrganizationRolePermission
from backend.accounts.selectors import Actor, actor_for
from backend.accounts.viewsets import ActorMixin, ReadViewSet, for_actor
from backend.common.errors import NotFoundError, PermissionDeniedError
from backend.common.filters import (
    CommaListFilter,
    RankFilter,
    TrlFilter,
    VisibleModelChoiceFilter,
)
from backend.common.serializers import StrictCharField, StrictModelSerializer
from backend.matches import selectors, services
from backend.matches.models import Match
from backend.programs.api import ChallengeFilter, ChallengeSerializer
from backend.programs.models import Challenge
from backend.programs.selectors import challenges_editable_by, challenges_visible_to
from backend.startups.api import StartupProfileFilter, StartupProfileSerializer
from backend.startups.models import StartupProfile
from backend.startups.selectors import profile_of
from backend.startups.visibility import (
    blank,
    profile_withheld,
    readable_profiles,
    visible_fields,
)


class MatchChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    visibility = serializers.CharField()
    enterprise = serializers.CharField(source="accelerator.enterprise.name")


class MatchStartupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    pitch = serializers.CharField()
    stage = serializers.CharField()
    region = serializers.CharField()
    trl = serializers.IntegerField(allow_null=True)
    organization = serializers.IntegerField(source="organization_id")
    withheld = serializers.SerializerMethodField(
        help_text="The startup withdrew its profile: what it says is withheld from you."
    )

    def get_withheld(self, profile) -> bool:
        return profile_withheld(actor_in(self.context), profile)


def actor_in(context) -> Actor | None:
    """The requesting actor, or None when serialised without a request (reads fail closed)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return actor_for(user) if user is not None and user.is_authenticated else None


class EvidencePairSerializer(serializers.Serializer):
    requirement = serializers.CharField()
    capability = serializers.CharField()
    similarity = serializers.FloatField()


class EvidenceSerializer(serializers.Serializer):
    """Why the pair matched: aligned requirement <-> capability passages, shared terms."""

    pairs = EvidencePairSerializer(many=True, default=list)
    shared_terms = serializers.ListField(child=serializers.CharField(), default=list)


class MatchSerializer(StrictModelSerializer):
    challenge = MatchChallengeSerializer(read_only=True)
    startup = MatchStartupSerializer(read_only=True)
    evidence = EvidenceSerializer(read_only=True)
    components = serializers.DictField(child=serializers.FloatField(), read_only=True)
    # "" until a side declines: documented as a blank choice, as it is returned.
    declined_side = serializers.ChoiceField(
        choices=Match.Side.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Match
        fields = [
            "id",
            "challenge",
            "startup",
            "score",
            "rank",
            "ranked_among",
            "status",
            "components",
            "evidence",
            "enterprise_interested_at",
            "startup_interested_at",
            "declined_side",
            "declined_at",
            "decline_reason",
            "connected_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, match):
        data = super().to_representation(match)
        actor = actor_in(self.context)
        fields = visible_fields(
            actor, match.startup, connected=match.status == Match.Status.CONNECTED
        )
        if profile_withheld(actor, match.startup):
            data["startup"] = {
                name: value if name in fields or name == "withheld" else blank(name)
                for name, value in data["startup"].items()
            }
            # The evidence quotes the profile's sentences and terms.
            data["evidence"] = {"pairs": [], "shared_terms": []}
        return data


class DeclineSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=1_000, required=False, allow_blank=True, default="")


class MatchFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        field_name="startup__stage", choices=StartupProfile.Stage.choices
    )
    region = django_filters.CharFilter(field_name="startup__region", lookup_expr="iexact")
    trl_min = TrlFilter(field_name="startup__trl", lookup_expr="gte")
    trl_max = TrlFilter(field_name="startup__trl", lookup_expr="lte")
    tags = CommaListFilter(field_name="startup__technology_tags")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    max_rank = RankFilter(field_name="rank", lookup_expr="lte")
    # A challenge the user may not read answers as a missing one, never "200, none of yours".
    challenge = VisibleModelChoiceFilter(visible_to=for_actor(challenges_visible_to))

    class Meta:
        model = Match
        fields = ["status", "challenge"]

    PROFILE_FIELDS = ("stage", "region", "trl_min", "trl_max", "tags")

    def filter_queryset(self, queryset):
        """A filter on the startup's fields finds only profiles the requester reads: a
        withdrawn profile's region or stage is not theirs to learn by filtering."""
        queryset = super().filter_queryset(queryset)
        if any(
            self.form.cleaned_data.get(name) not in (None, "", []) for name in self.PROFILE_FIELDS
        ):
            user = getattr(self.request, "user", None)
            actor = actor_for(user) if user is not None else None
            queryset = queryset.filter(readable_profiles(actor, prefix="startup__"))
        return queryset


class MatchViewSet(ReadViewSet):
    """Proposed matches: a firm sees its challenges'; a startup its own."""

    serializer_class = MatchSerializer
    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)
    filterset_class = MatchFilter
    ordering_fields = ["score", "rank", "created_at", "updated_at"]
    ordering = ["-score", "id"]

    def get_queryset(self):
        return selectors.matches_visible_to(self.actor)

    @extend_schema(request=None, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def interest(self, request, pk=None):
        """Say interested. When both sides have, the match is connected."""
        match = services.match_express_interest(match=self.get_object(), actor=self.actor)
        return Response(self.get_serializer(match).data)

    @extend_schema(request=DeclineSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Not for us, with an optional reason. A declined match is never proposed again."""
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        match = services.match_decline(
            match=self.get_object(), actor=self.actor, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(match).data)


class ChallengeMatchesView(ActorMixin, ListAPIView):
    """The startups proposed for one challenge: for its firm and operators."""

    serializer_class = MatchSerializer
    permission_classes = [OrganizationRolePermission]
    filterset_class = MatchFilter
    ordering_fields = ["score", "rank", "created_at"]
    ordering = ["rank", "id"]

    queryset = Match.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        actor = self.actor
        if actor.is_startup:
            raise NotFoundError("Challenge not found.")
        challenge = challenges_visible_to(actor).filter(pk=self.kwargs["pk"]).first()
        if challenge is None or not (
            actor.is_operator or challenge.accelerator.enterprise_id == actor.organization_id
        ):
            raise NotFoundError("Challenge not found.")
        return selectors.matches_visible_to(actor).filter(challenge=challenge)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=2_000, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class SearchView(ActorMixin, ListAPIView):
    """Semantic + lexical search over one side, with the list filters and the same permissions.
    Only results with the engine's evidence are listed: a query that nothing fits gets none."""

    permission_classes = [OrganizationRolePermission]
    pagination_class = None
    item_name: str

    def search(self, text: str, allowed, k: int):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        allowed = self.filter_queryset(self.get_queryset())
        hits = self.search(params.validated_data["q"], allowed, params.validated_data["limit"])
        items = [
            {"score": hit.score, "components": hit.components, self.item_name: row}
            for row, hit in hits
        ]
        return Response(
            {"count": len(items), "results": self.get_serializer(items, many=True).data}
        )


def _hit_serializer(item_name: str, item_serializer) -> type[serializers.Serializer]:
    return type(
        f"{item_name.title()}SearchHitSerializer",
        (serializers.Serializer,),
        {
            "score": serializers.FloatField(),
            "components": serializers.DictField(child=serializers.FloatField()),
            item_name: item_serializer(),
        },
    )


ChallengeHitSerializer = _hit_serializer("challenge", ChallengeSerializer)
StartupHitSerializer = _hit_serializer("startup", StartupProfileSerializer)


def _results(hit_serializer) -> type[serializers.Serializer]:
    """The `{count, results}` object SearchView answers; `many=False` keeps the list-view
    heuristic from documenting it as an array."""
    name = hit_serializer.__name__.removesuffix("Serializer")
    results = type(
        f"{name}ResultsSerializer",
        (serializers.Serializer,),
        {"count": serializers.IntegerField(), "results": hit_serializer(many=True)},
    )
    return extend_schema_serializer(many=False)(results)


@extend_schema(
    parameters=[SearchQuerySerializer], responses={200: _results(ChallengeHitSerializer)}
)
class ChallengeSearchView(SearchView):
    """Open challenges for a free-text query: `?q=`, plus the challenge list's filters."""

    item_name = "challenge"
    serializer_class = ChallengeHitSerializer
    filterset_class = ChallengeFilter
    queryset = Challenge.objects.all()

    def search(self, text, allowed, k):
        return selectors.search_challenges(self.actor, text, allowed=allowed, k=k)


@extend_schema(parameters=[SearchQuerySerializer], responses={200: _results(StartupHitSerializer)})
class StartupSearchView(SearchView):
    """Published startup profiles for a free-text query (firms and operators)."""

    item_name = "startup"
    serializer_class = StartupHitSerializer
    filterset_class = StartupProfileFilter
    queryset = StartupProfile.objects.all()

    def search(self, text, allowed, k):
        if self.actor.is_startup:
            raise PermissionDeniedError("Startups search challenges, not other startups.")
        return selectors.search_startups(self.actor, text, allowed=allowed, k=k)


RETRY_ANSWER = inline_serializer("MatchingRetry", {"matching_status": serializers.CharField()})


class MatchingRetryView(ActorMixin, APIView):
    """Match one's own open challenge or published profile again, after `matching_status`
    said `failed`; answers at once and the indexer does the work (202)."""

    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)

    def document(self):
        raise NotImplementedError

    @extend_schema(request=None, responses={202: RETRY_ANSWER})
    def post(self, request, *args, **kwargs):
        document = self.document()
        services.matching_retry(actor=self.actor, document=document)
        return Response({"matching_status": document.matching_status}, status=202)


class ChallengeMatchingRetryView(MatchingRetryView):
    def document(self):
        challenge = challenges_editable_by(self.actor).filter(pk=self.kwargs["pk"]).first()
        if challenge is None:
            raise NotFoundError("Challenge not found.")
        return challenge


class ProfileMatchingRetryView(MatchingRetryView):
    def document(self):
        profile = profile_of(self.actor)
        if profile is None:
            raise NotFoundError("You have no profile yet.")
        return profile
