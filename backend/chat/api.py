from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.accounts.viewsets import ActorMixin
from backend.chat import selectors, services
from backend.chat.serializers import (
    ConversationSerializer,
    InviteOperatorSerializer,
    MessageSerializer,
    MessagesQuerySerializer,
    ParticipantSerializer,
    ReadSerializer,
    ReadStateSerializer,
    SendMessageSerializer,
    TicketSerializer,
    message_payload,
)
from backend.common.errors import ApplicationError
from backend.matches.api import MatchChallengeSerializer
from backend.matches.models import Match
from backend.programs.models import CohortMembership


class ConversationListView(ActorMixin, ListAPIView):
    """My conversations, latest activity first, with my unread count and the last message."""

    serializer_class = ConversationSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.conversations_for(self.actor)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "last_messages": selectors.last_messages(page)}
        return self.get_paginated_response(
            ConversationSerializer(page, many=True, context=context).data
        )


class ConversationDetailView(ActorMixin, APIView):
    @extend_schema(responses={200: ConversationSerializer})
    def get(self, request, pk: int):
        conversation = selectors.conversation_get_for_actor(self.actor, pk, with_read_state=True)
        context = {"last_messages": selectors.last_messages([conversation])}
        return Response(ConversationSerializer(conversation, context=context).data)


class MessagesView(ActorMixin, APIView):
    """A conversation's messages by `seq` cursor; POST sends one (idempotent by client id)."""

    @extend_schema(
        parameters=[MessagesQuerySerializer],
        responses={
            200: inline_serializer(
                "MessagePage",
                {
                    "results": MessageSerializer(many=True),
                    "has_more": serializers.BooleanField(),
                    "last_seq": serializers.IntegerField(),
                },
            )
        },
    )
    def get(self, request, pk: int):
        """`?after_seq=N`: the next page forward (newer), `has_more` when more follow.
        `?before_seq=N` or nothing: the page that ends before N (or at the latest message),
        `has_more` when older ones remain. `limit` 1-200, default 50. Always in `seq` order."""
        conversation = selectors.conversation_get_for_actor(self.actor, pk)
        query = MessagesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        messages, has_more = selectors.messages_page(conversation, **query.validated_data)
        return Response(
            {
                "results": [message_payload(message) for message in messages],
                "has_more": has_more,
                "last_seq": conversation.last_seq,
            }
        )

    @extend_schema(
        request=SendMessageSerializer,
        responses={201: MessageSerializer},
    )
    def post(self, request, pk: int):
        """Send. A repeat of a `client_msg_id` returns the stored message and stores nothing."""
        conversation = selectors.conversation_get_for_actor(self.actor, pk)
        body = SendMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.message_send(
            conversation=conversation, sender=request.user, **body.validated_data
        )
        return Response(message_payload(message), status=status.HTTP_201_CREATED)


class ReadView(ActorMixin, APIView):
    @extend_schema(request=ReadSerializer, responses={200: ReadStateSerializer})
    def post(self, request, pk: int):
        """I have read up to `seq`. Read state only moves forward."""
        conversation = selectors.conversation_get_for_actor(self.actor, pk)
        body = ReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        last_read_seq = services.conversation_mark_read(
            conversation=conversation, user=request.user, seq=body.validated_data["seq"]
        )
        return Response({"conversation": conversation.pk, "last_read_seq": last_read_seq})


class InviteOperatorView(ActorMixin, APIView):
    @extend_schema(
        request=InviteOperatorSerializer,
        responses={200: ParticipantSerializer},
    )
    def post(self, request, pk: int):
        """A participant brings a platform operator into the conversation; from then on the
        operator can write too. Repeats are harmless."""
        conversation = selectors.conversation_get_for_actor(self.actor, pk)
        body = InviteOperatorSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        operator = User.objects.filter(pk=body.validated_data["user"]).first()
        if operator is None:
            raise ApplicationError(
                _("Only a platform operator can be invited."),
                fields={"user": [_("Not an operator.")]},
            )
        participant = services.conversation_invite_operator(
            conversation=conversation, by=request.user, operator=operator
        )
        return Response(ParticipantSerializer(participant).data)


class WebSocketTicketView(APIView):
    @extend_schema(request=None, responses={201: TicketSerializer})
    def post(self, request):
        """A single-use ticket for `?ticket=` on a WebSocket URL, valid for 60 seconds.
        API clients use it instead of sending their long-lived token in a URL."""
        ticket, expires_at = services.ws_ticket_issue(user=request.user)
        data = {
            "ticket": ticket,
            "expires_at": expires_at,
            "expires_in": int(services.TICKET_TTL.total_seconds()),
        }
        return Response(TicketSerializer(data).data, status=status.HTTP_201_CREATED)


class HistoryMatchSerializer(serializers.ModelSerializer):
    """One match of the history, as its firm sees it on the match itself."""

    challenge = MatchChallengeSerializer(read_only=True)
    declined_side = serializers.ChoiceField(
        choices=Match.Side.choices, allow_blank=True, read_only=True
    )
    reason_code = serializers.ChoiceField(
        choices=Match.ReasonCode.choices, allow_blank=True, read_only=True
    )
    decline_note = serializers.CharField(
        source="note_view",
        read_only=True,
        help_text="The declining side's internal note: blank to everyone else.",
    )
    conversation = serializers.IntegerField(
        source="conversation_id",
        allow_null=True,
        read_only=True,
        help_text="The conversation the connected match opened (null before).",
    )

    class Meta:
        model = Match
        fields = [
            "id",
            "challenge",
            "origin",
            "status",
            "rank",
            "enterprise_interested_at",
            "startup_interested_at",
            "declined_side",
            "declined_at",
            "reason_code",
            "feedback",
            "decline_note",
            "connected_at",
            "created_at",
            "conversation",
        ]
        read_only_fields = fields


class HistoryCohortSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    accelerator = serializers.CharField(source="accelerator.name")


class HistoryCohortPlaceSerializer(serializers.ModelSerializer):
    """A place in a cohort, without the operators' own note and name (`OPERATOR_ONLY_FIELDS`)."""

    cohort = HistoryCohortSerializer(read_only=True)

    class Meta:
        model = CohortMembership
        fields = ["id", "cohort", "status", "decided_at", "created_at"]
        read_only_fields = fields


class HistoryStartupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Blank when the profile is withheld from you.")
    withheld = serializers.BooleanField(
        help_text="The startup withdrew its profile: what it says is withheld from you."
    )


class StartupHistorySerializer(serializers.Serializer):
    startup = HistoryStartupSerializer()
    matches = HistoryMatchSerializer(many=True)
    cohort_places = HistoryCohortPlaceSerializer(many=True)


class StartupHistoryView(ActorMixin, APIView):
    @extend_schema(responses={200: StartupHistorySerializer})
    def get(self, request, pk: int):
        """What a firm went through with one startup: its challenges' matches with it (with the
        conversation of a connected one) and the startup's places in its cohorts. Operators
        read every firm's. For firms and operators only; a withdrawn profile is still found
        while a history refers to it, its name and fields withheld as on the match."""
        history = selectors.startup_history_for_actor(self.actor, pk)
        startup = history.startup
        return Response(
            StartupHistorySerializer(
                {
                    "startup": {
                        "id": startup.id,
                        "name": startup.name,
                        "withheld": startup.withheld,
                    },
                    "matches": history.matches,
                    "cohort_places": history.cohort_places,
                }
            ).data
        )
