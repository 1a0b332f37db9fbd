from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Organization
from backend.accounts.permissions import OrganizationRolePermission
from backend.accounts.selectors import Actor, actor_for
from backend.accounts.viewsets import ActorMixin, ReadViewSet, for_actor
from backend.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from backend.common.filters import (
    CommaListFilter,
    RankFilter,
    TrlFilter,
    VisibleModelChoiceFilter,
)
from backend.common.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictModelSerializer,
)
from backend.matches import selectors, services
from backend.matches.models import ApplicationAttachment, Match
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


class TimelineStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(
        choices=[
            "proposed",
            "applied",
            "viewed",
            "shortlisted",
            "interested",
            "declined",
            "connected",
        ]
    )
    at = serializers.DateTimeField()


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationAttachment
        fields = ["id", "name", "size", "created_at"]
        read_only_fields = fields


class MatchSerializer(StrictModelSerializer):
    challenge = MatchChallengeSerializer(read_only=True)
    startup = MatchStartupSerializer(read_only=True)
    evidence = EvidenceSerializer(read_only=True)
    components = serializers.DictField(child=serializers.FloatField(), read_only=True)
    # "" until a side declines: documented as a blank choice, as it is returned.
    declined_side = serializers.ChoiceField(
        choices=Match.Side.choices, allow_blank=True, read_only=True
    )
    reason_code = serializers.ChoiceField(
        choices=Match.ReasonCode.choices, allow_blank=True, read_only=True
    )
    decline_note = serializers.CharField(
        read_only=True,
        help_text="The declining side's internal note: blank to everyone else.",
    )
    timeline = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    @extend_schema_field(TimelineStepSerializer(many=True))
    def get_timeline(self, match):
        return TimelineStepSerializer(selectors.timeline(match), many=True).data

    class Meta:
        model = Match
        fields = [
            "id",
            "challenge",
            "startup",
            "origin",
            "pitch",
            "attachments",
            "score",
            "rank",
            "ranked_among",
            "status",
            "components",
            "evidence",
            "enterprise_interested_at",
            "startup_interested_at",
            "viewed_at",
            "shortlisted_at",
            "declined_side",
            "declined_at",
            "reason_code",
            "feedback",
            "decline_note",
            "connected_at",
            "timeline",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, match):
        data = super().to_representation(match)
        actor = actor_in(self.context)
        if not selectors.declined_by_own_side(actor, match):
            data["decline_note"] = ""
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


# MatchSerializer's datetimes: ISO 8601 in the current time zone.
_DATETIME = serializers.DateTimeField()


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


def _number(value):
    return None if value is None else float(value)


def _evidence(evidence: dict | None) -> dict | None:
    """As EvidenceSerializer writes it: its two lists only, each pair's three fields."""
    if evidence is None:
        return None
    pairs, terms = evidence.get("pairs", []), evidence.get("shared_terms", [])
    return {
        "pairs": None
        if pairs is None
        else [
            {
                "requirement": str(pair["requirement"]),
                "capability": str(pair["capability"]),
                "similarity": float(pair["similarity"]),
            }
            for pair in pairs
        ],
        "shared_terms": None if terms is None else [_text(term) for term in terms],
    }


def _text(value):
    return None if value is None else str(value)


def listed_match(row: dict) -> dict:
    """A row of `selectors.as_listed` as MatchSerializer answers for it (the schema's
    `Match`), without an instance or a serializer per row: the lists are the busiest reads.
    `tests/matches/test_list_api.py` holds the two to the same bytes."""
    components = row["components"]
    return {
        "id": row["id"],
        "challenge": {
            "id": row["challenge_id"],
            "title": row["challenge__title"],
            "status": row["challenge__status"],
            "visibility": row["challenge__visibility"],
            "enterprise": row["challenge__accelerator__enterprise__name"],
        },
        "startup": {
            "id": row["startup_id"],
            "name": row["startup__name"],
            "pitch": row["startup__pitch"],
            "stage": row["startup__stage"],
            "region": row["startup__region"],
            "trl": row["startup__trl"],
            "organization": row["startup__organization_id"],
            "withheld": row["startup_withheld"],
        },
        "origin": row["origin"],
        "pitch": row["pitch"],
        "attachments": [
            {
                "id": a["id"],
                "name": a["name"],
                "size": a["size"],
                "created_at": _when(a["created_at"]),
            }
            for a in row["attachments"]
        ],
        "score": _number(row["score"]),
        "rank": row["rank"],
        "ranked_among": row["ranked_among"],
        "status": row["status"],
        "components": None
        if components is None
        else {str(name): _number(value) for name, value in components.items()},
        "evidence": _evidence(row["evidence"]),
        "enterprise_interested_at": _when(row["enterprise_interested_at"]),
        "startup_interested_at": _when(row["startup_interested_at"]),
        "viewed_at": _when(row["viewed_at"]),
        "shortlisted_at": _when(row["shortlisted_at"]),
        "declined_side": row["declined_side"],
        "declined_at": _when(row["declined_at"]),
        "reason_code": row["reason_code"],
        "feedback": row["feedback"],
        "decline_note": row["decline_note"],
        "connected_at": _when(row["connected_at"]),
        "timeline": [{"step": s["step"], "at": _when(s["at"])} for s in row["steps"]],
        "created_at": _when(row["created_at"]),
        "updated_at": _when(row["updated_at"]),
    }


class MatchListMixin:
    """`list` for a view of matches: a page of `selectors.ListedMatches` rows, answered as
    `listed_match` (the view's serializer, MatchSerializer, still documents it)."""

    def list(self, request, *args, **kwargs):
        matches = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(selectors.ListedMatches(matches))
        rows = selectors.as_listed(self.actor, page)
        return self.get_paginated_response([listed_match(row) for row in rows])


class DeclineSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(
        choices=Match.ReasonCode.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the firm declines; the startup reads it.",
    )
    feedback = StrictCharField(
        max_length=1_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown to the other side.",
    )
    note = StrictCharField(
        max_length=1_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Internal: only the declining side's organisation reads it.",
    )


class ShortlistSerializer(serializers.Serializer):
    shortlisted = StrictBooleanField(default=True)


class ApplySerializer(serializers.Serializer):
    pitch = StrictCharField(
        max_length=2_000, help_text="What the startup tells the firm: why it can solve this."
    )


class MatchFilterForm(forms.Form):
    """The rules between the match filters, for the API and the pages alike."""

    def clean(self):
        data = super().clean()
        low, high = data.get("trl_min"), data.get("trl_max")
        if low and high and low > high:
            self.add_error("trl_max", _("The highest TRL must not be below the lowest."))
        return data


class MatchFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        field_name="startup__stage",
        choices=StartupProfile.Stage.choices,
        label=_("Stage"),
        empty_label=_("Any stage"),
    )
    region = django_filters.CharFilter(
        field_name="startup__region", lookup_expr="iexact", label=_("Region")
    )
    trl_min = TrlFilter(field_name="startup__trl", lookup_expr="gte", label=_("TRL from"))
    trl_max = TrlFilter(field_name="startup__trl", lookup_expr="lte", label=_("TRL to"))
    tags = CommaListFilter(
        field_name="startup__technology_tags",
        label=_("Technology tags"),
        help_text=_("Any of these, separated by commas."),
    )
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    max_rank = RankFilter(
        field_name="rank",
        lookup_expr="lte",
        label=_("Up to rank"),
        help_text=_("10 keeps the ten best-ranked startups."),
    )
    origin = django_filters.ChoiceFilter(
        choices=Match.Origin.choices,
        label=_("Came from"),
        empty_label=_("Proposals and applications"),
    )
    # A challenge the user may not read answers as a missing one, never "200, none of yours".
    challenge = VisibleModelChoiceFilter(visible_to=for_actor(challenges_visible_to))

    class Meta:
        model = Match
        fields = ["status", "challenge"]
        form = MatchFilterForm

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


class MatchViewSet(MatchListMixin, ReadViewSet):
    """Proposed matches: a firm sees its challenges'; a startup its own."""

    serializer_class = MatchSerializer
    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)
    filterset_class = MatchFilter
    ordering_fields = ["score", "rank", "created_at", "updated_at"]
    ordering = [F("score").desc(nulls_last=True), "id"]

    def get_queryset(self):
        return selectors.matches_visible_to(self.actor)

    def retrieve(self, request, *args, **kwargs):
        """One match; a firm member's read marks it viewed on the startup's timeline."""
        match = self.get_object()
        if services.matches_mark_viewed(actor=self.actor, match_ids=[match.pk]):
            match.refresh_from_db(fields=["viewed_at"])
        return Response(self.get_serializer(match).data)

    @extend_schema(request=None, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def interest(self, request, pk=None):
        """Say interested. When both sides have, the match is connected."""
        match = services.match_express_interest(match=self.get_object(), actor=self.actor)
        return Response(self.get_serializer(match).data)

    @extend_schema(request=DeclineSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Not for us. A firm gives a `reason_code` (the startup reads it with `feedback`);
        `note` stays internal. A declined match is never proposed again; the side that
        declined may take it back within 7 days (`undecline`)."""
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        match = services.match_decline(
            match=self.get_object(), actor=self.actor, **body.validated_data
        )
        return Response(self.get_serializer(match).data)

    @extend_schema(request=None, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def undecline(self, request, pk=None):
        """Take one's own decline back, within 7 days: the match returns to where it stood."""
        match = services.match_undo_decline(match=self.get_object(), actor=self.actor)
        return Response(self.get_serializer(match).data)

    @extend_schema(request=ShortlistSerializer, responses={200: MatchSerializer})
    @action(detail=True, methods=["post"])
    def shortlist(self, request, pk=None):
        """The firm puts the startup on its shortlist (`{"shortlisted": false}` takes it off)."""
        body = ShortlistSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        match = services.match_shortlist(
            match=self.get_object(), actor=self.actor, **body.validated_data
        )
        return Response(self.get_serializer(match).data)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "AttachmentUpload", {"file": serializers.FileField()}
            )
        },
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """Add a PDF (at most 10 MB, 5 per application) to one's own application; a larger one
        answers 413."""
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > ApplicationAttachment.MAX_BYTES + UPLOAD_OVERHEAD:
            raise ApplicationError(
                _("A document may be at most 10 MB."), code="too_large", status_code=413
            )
        match = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(
                _("Send the PDF as the `file` field."), fields={"file": [_("Required.")]}
            )
        attachment = services.attachment_add(actor=self.actor, match=match, upload=upload)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>\d+)")
    def attachment(self, request, pk=None, attachment_pk=None):
        """One of an application's PDFs: for the firm, operators and the startup that sent it."""
        attachment = selectors.attachment_of(self.get_object(), int(attachment_pk))
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type="application/pdf",
        )


# Room for the multipart envelope around a 10 MB file.
UPLOAD_OVERHEAD = 64 * 1024


class ChallengeApplyView(ActorMixin, APIView):
    """A startup applies to an open challenge it may see: the answer is the match, ranked by
    the engine shortly after, as a proposal is (`rank` is blank until then). Applying where the
    engine already proposed this startup says interested on that proposal (200)."""

    permission_classes = [OrganizationRolePermission]
    write_kinds = (Organization.Kind.STARTUP,)

    @extend_schema(request=ApplySerializer, responses={201: MatchSerializer, 200: MatchSerializer})
    def post(self, request, pk):
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        match, created = services.match_apply(
            actor=self.actor, challenge_id=pk, pitch=body.validated_data["pitch"]
        )
        match = selectors.match_get_for_actor(self.actor, match.pk)
        return Response(
            MatchSerializer(match, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


RESPONSE_TIME = inline_serializer(
    "ResponseTime",
    {
        "response_days": serializers.IntegerField(
            help_text="The challenge's promise, in working days."
        ),
        "median_days": serializers.FloatField(
            allow_null=True, help_text="The firm's median answer time, in working days."
        ),
        "answered": serializers.IntegerField(help_text="How many answers the median is over."),
    },
)


class ChallengeResponseTimeView(ActorMixin, APIView):
    """How fast the challenge's firm answers startups that apply or say interested first,
    beside the challenge's promise."""

    permission_classes = [OrganizationRolePermission]

    @extend_schema(responses={200: RESPONSE_TIME})
    def get(self, request, pk):
        challenge = challenges_visible_to(self.actor).filter(pk=pk).first()
        if challenge is None:
            raise NotFoundError(_("Challenge not found."))
        stats = selectors.firm_response_stats(challenge.accelerator.enterprise_id)
        return Response({"response_days": challenge.response_days, **stats})


class ChallengeMatchesView(MatchListMixin, ActorMixin, ListAPIView):
    """The startups proposed for one challenge: for its firm and operators."""

    serializer_class = MatchSerializer
    permission_classes = [OrganizationRolePermission]
    filterset_class = MatchFilter
    ordering_fields = ["score", "rank", "created_at"]
    ordering = [F("rank").asc(nulls_last=True), "id"]

    queryset = Match.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return selectors.challenge_matches_for_actor(self.actor, self.kwargs["pk"])


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
            raise PermissionDeniedError(_("Startups search challenges, not other startups."))
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
            raise NotFoundError(_("Challenge not found."))
        return challenge


class ProfileMatchingRetryView(MatchingRetryView):
    def document(self):
        profile = profile_of(self.actor)
        if profile is None:
            raise NotFoundError(_("You have no profile yet."))
        return profile
