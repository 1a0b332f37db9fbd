"""The pilots and outcomes API. Lists are scoped (a firm its own, a startup its own, operators
all); writes go to the services, which hold every rule; an id the caller may not see is 404."""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from backend.accounts.models import User
from backend.accounts.viewsets import ReadViewSet, for_actor
from backend.common.errors import ApplicationError, NotFoundError
from backend.common.filters import VisibleModelChoiceFilter
from backend.common.serializers import (
    ID_MAX,
    StrictCharField,
    StrictDateField,
    StrictDecimalField,
    StrictIntegerField,
    StrictModelSerializer,
)
from backend.pilots import selectors, services
from backend.pilots.models import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    CRITERIA_MAX,
    CRITERIA_MIN,
    CRITERION_MAX_LENGTH,
    DOCUMENT_MAX_BYTES,
    QUESTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Outcome,
    Pilot,
    PilotUpdate,
)
from backend.reviews.api import PersonSerializer


def amount_input(**kwargs) -> StrictDecimalField:
    return StrictDecimalField(
        max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, min_value=0, **kwargs
    )


def id_input(help_text: str, **kwargs) -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=ID_MAX, help_text=help_text, **kwargs)


class PilotSerializer(StrictModelSerializer):
    decision_owner = PersonSerializer()
    decision_due = serializers.SerializerMethodField(
        help_text="Running past its end date: the decision owner must decide."
    )

    class Meta:
        model = Pilot
        fields = [
            "id",
            "match",
            "state",
            "question",
            "success_criteria",
            "decision_owner",
            "starts_on",
            "ends_on",
            "terms",
            "amount",
            "ip_terms",
            "proposed_side",
            "accepted_at",
            "last_activity_at",
            "decision",
            "decision_reason",
            "stop_reason",
            "lesson",
            "decided_at",
            "closed_at",
            "closed_reason",
            "decision_due",
            "created_at",
        ]
        read_only_fields = fields

    def get_decision_due(self, pilot: Pilot) -> bool:
        return pilot.state == Pilot.State.RUNNING and pilot.ends_on <= timezone.localdate()


class PilotProposeSerializer(serializers.Serializer):
    match = id_input("A connected match of yours.")
    question = StrictCharField(max_length=QUESTION_MAX_LENGTH)
    success_criteria = serializers.ListField(
        child=StrictCharField(max_length=CRITERION_MAX_LENGTH),
        min_length=CRITERIA_MIN,
        max_length=CRITERIA_MAX,
    )
    decision_owner = id_input("A member of the firm, who decides the pilot.")
    starts_on = StrictDateField()
    ends_on = StrictDateField(help_text="At most PILOT_MAX_DAYS (100) after the start.")
    terms = serializers.ChoiceField(choices=Pilot.Terms.choices)
    amount = amount_input(help_text="In CNY: the fee, or the value of what is given in kind.")
    ip_terms = serializers.ChoiceField(choices=Pilot.IpTerms.choices)


class PilotUpdateSerializer(StrictModelSerializer):
    author = PersonSerializer(allow_null=True)

    class Meta:
        model = PilotUpdate
        fields = ["id", "author", "side", "on", "text", "created_at"]
        read_only_fields = fields


class PilotUpdateInputSerializer(serializers.Serializer):
    on = StrictDateField(required=False, help_text="What day it tells of; today if absent.")
    text = StrictCharField(max_length=TEXT_MAX_LENGTH)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Pilot.Decision.choices)
    reason = StrictCharField(max_length=TEXT_MAX_LENGTH)
    new_ends_on = StrictDateField(required=False, help_text="For `extend`: a later end.")
    stop_reason = serializers.ChoiceField(
        choices=Pilot.StopReason.choices, required=False, help_text="For `stop`."
    )
    lesson = StrictCharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="For `stop`: what was learnt.",
    )


class CloseSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Optional: why, for the other party.",
    )


class DecisionOwnerSerializer(serializers.Serializer):
    decision_owner = id_input("An active member of the firm, who decides the pilot from now on.")


def _firm_member(pilot_match, pk: int) -> User:
    user = selectors.firm_members(pilot_match).filter(pk=pk).first()
    if user is None:
        raise serializers.ValidationError({"decision_owner": [_("Not a member of the firm.")]})
    return user


def _match_filter() -> VisibleModelChoiceFilter:
    return VisibleModelChoiceFilter(visible_to=for_actor(selectors.matches_for_pilots))


class PilotFilter(django_filters.FilterSet):
    match = _match_filter()

    class Meta:
        model = Pilot
        fields = ["match", "state"]


class OutcomeFilter(django_filters.FilterSet):
    match = _match_filter()

    class Meta:
        model = Outcome
        fields = ["match", "kind"]


class PilotViewSet(ReadViewSet):
    """Pilots on connected matches: proposed by one party, accepted by the other, updated by
    both, decided by the firm's decision owner."""

    serializer_class = PilotSerializer
    filterset_class = PilotFilter
    ordering_fields = ["created_at", "ends_on"]

    def get_queryset(self):
        return selectors.pilots_visible_to(self.actor)

    @extend_schema(request=PilotProposeSerializer, responses={201: PilotSerializer})
    def create(self, request):
        """Propose a pilot on a connected match (either party; 409 when not connected)."""
        body = PilotProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        match = selectors.match_get_for_party(self.actor, data.pop("match"))
        data["decision_owner"] = _firm_member(match, data["decision_owner"])
        pilot = services.pilot_propose(actor=self.actor, match=match, **data)
        return Response(PilotSerializer(pilot).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PilotSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The other party accepts the proposed pilot: it runs."""
        pilot = services.pilot_accept(actor=self.actor, pilot=self.get_object())
        return Response(PilotSerializer(pilot).data)

    def _close(self, request, service) -> Response:
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pilot = service(actor=self.actor, pilot=self.get_object(), **body.validated_data)
        return Response(PilotSerializer(pilot).data)

    @extend_schema(request=CloseSerializer, responses={200: PilotSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The proposing party withdraws its proposal before it is accepted (403 for the other
        party, 409 once it runs); a `reason` is optional."""
        return self._close(request, services.pilot_withdraw)

    @extend_schema(request=CloseSerializer, responses={200: PilotSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The other party declines the proposed pilot instead of accepting it (403 for the
        proposer, 409 once it runs); a `reason` is optional."""
        return self._close(request, services.pilot_decline)

    @extend_schema(request=DecisionOwnerSerializer, responses={200: PilotSerializer})
    @action(detail=True, methods=["post"], url_path="decision-owner")
    def decision_owner(self, request, pk=None):
        """A member of the firm or an operator hands the decision of a proposed or running pilot
        to another active member of the firm (400 `fields.decision_owner` for anyone else; 403
        for the startup; 409 once decided, withdrawn or declined)."""
        body = DecisionOwnerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pilot = self.get_object()
        owner = _firm_member(pilot.match, body.validated_data["decision_owner"])
        pilot = services.pilot_reassign_owner(actor=self.actor, pilot=pilot, decision_owner=owner)
        return Response(PilotSerializer(pilot).data)

    @extend_schema(methods=["get"], request=None, responses={200: PilotUpdateSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=PilotUpdateInputSerializer,
        responses={201: PilotUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def updates(self, request, pk=None):
        """The pilot's dated updates, latest first; either party posts one on a running pilot."""
        pilot = self.get_object()
        if request.method == "GET":
            updates = selectors.pilot_updates(pilot)
            return Response(PilotUpdateSerializer(updates, many=True).data)
        body = PilotUpdateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        update = services.pilot_post_update(
            actor=self.actor,
            pilot=pilot,
            text=body.validated_data["text"],
            on=body.validated_data.get("on") or timezone.localdate(),
        )
        return Response(PilotUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses={200: PilotSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The decision owner decides a running pilot: `scale`; `extend` to `new_ends_on` (it
        keeps running); `stop` with a `stop_reason` and a `lesson`. A `reason` always."""
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pilot = services.pilot_decide(
            actor=self.actor, pilot=self.get_object(), **body.validated_data
        )
        return Response(PilotSerializer(pilot).data)


class OutcomeSerializer(StrictModelSerializer):
    confirmed = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField(
        help_text="The attached PDF's file name; blank when none."
    )

    class Meta:
        model = Outcome
        fields = [
            "id",
            "match",
            "pilot",
            "kind",
            "amount",
            "currency",
            "date",
            "document",
            "recorded_side",
            "confirmed",
            "confirmed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_confirmed(self, outcome: Outcome) -> bool:
        return outcome.confirmed_at is not None

    def get_document(self, outcome: Outcome) -> str:
        return outcome.document_name if outcome.document else ""


class OutcomeRecordSerializer(serializers.Serializer):
    match = id_input("A connected match of yours.")
    pilot = id_input("One of the match's pilots, when the outcome followed it.", required=False)
    kind = serializers.ChoiceField(choices=Outcome.Kind.choices)
    amount = amount_input()
    currency = serializers.ChoiceField(
        choices=Outcome.Currency.choices, default=Outcome.Currency.CNY
    )
    date = StrictDateField()


class OutcomeViewSet(ReadViewSet):
    """Deals after a match: recorded by one party, confirmed by the other."""

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter
    ordering_fields = ["date", "created_at"]

    def get_queryset(self):
        return selectors.outcomes_visible_to(self.actor)

    @extend_schema(request=OutcomeRecordSerializer, responses={201: OutcomeSerializer})
    def create(self, request):
        """Record an outcome of a connected match (either party); it is unconfirmed until the
        other party confirms it."""
        body = OutcomeRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        match = selectors.match_get_for_party(self.actor, data.pop("match"))
        pilot_id = data.pop("pilot", None)
        pilot = selectors.pilot_get_for_actor(self.actor, pilot_id) if pilot_id else None
        outcome = services.outcome_record(
            actor=self.actor, match=match, pilot=pilot, on=data.pop("date"), **data
        )
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OutcomeSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The other party confirms the outcome."""
        outcome = services.outcome_confirm(actor=self.actor, outcome=self.get_object())
        return Response(OutcomeSerializer(outcome).data)

    @extend_schema(
        methods=["post"],
        request={
            "multipart/form-data": inline_serializer(
                "OutcomeDocumentUpload", {"file": serializers.FileField()}
            )
        },
        responses={200: OutcomeSerializer},
    )
    @extend_schema(methods=["get"], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def document(self, request, pk=None):
        """The outcome's PDF, for the parties and operators (404 when none); the recording
        party attaches it (at most 10 MB, replacing any) until the outcome is confirmed."""
        outcome = self.get_object()
        if request.method == "GET":
            if not outcome.document:
                raise NotFoundError(_("No document."))
            return FileResponse(
                outcome.document.open("rb"),
                as_attachment=True,
                filename=outcome.document_name,
                content_type="application/pdf",
            )
        if int(request.META.get("CONTENT_LENGTH") or 0) > DOCUMENT_MAX_BYTES + UPLOAD_OVERHEAD:
            raise ApplicationError(
                _("A document may be at most 10 MB."), code="too_large", status_code=413
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(
                _("Send the PDF as the `file` field."), fields={"file": [_("Required.")]}
            )
        outcome = services.outcome_attach_document(actor=self.actor, outcome=outcome, upload=upload)
        return Response(OutcomeSerializer(outcome).data)


# Room for the multipart envelope around a 10 MB file.
UPLOAD_OVERHEAD = 64 * 1024
