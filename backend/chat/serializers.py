"""Input and output shapes shared by the REST API and the WebSocket consumers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import Organization, User
from backend.chat.models import Conversation, Message
from backend.common.serializers import (
    ID_MAX,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)


class SendMessageSerializer(serializers.Serializer):
    """Types only; the length and format rules live in `services.message_send`."""

    client_msg_id = StrictCharField(trim_whitespace=False, allow_blank=True)
    body = StrictCharField(trim_whitespace=False, allow_blank=True)


class ReadSerializer(serializers.Serializer):
    seq = StrictIntegerField(min_value=0, max_value=ID_MAX)


class ResumeSerializer(serializers.Serializer):
    after_seq = StrictIntegerField(min_value=0, max_value=ID_MAX)


class InviteOperatorSerializer(serializers.Serializer):
    user = StrictIntegerField(
        min_value=1, max_value=ID_MAX, help_text="The id of an operator's user account."
    )


class MessagesQuerySerializer(serializers.Serializer):
    after_seq = serializers.IntegerField(min_value=0, max_value=ID_MAX, required=False)
    before_seq = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)


class OrganizationRefSerializer(StrictModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class UserRefSerializer(StrictModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = User
        fields = ["id", "name"]


class MessageSerializer(StrictModelSerializer):
    """A stored message, the same in REST pages, `message` frames and resume replays.

    `body` is plain text: clients render it escaped, never as HTML. A message of `kind`
    `event` has an empty `body` and carries `event` (its `type` names what happened, as the
    notification of the same event does); a `text` message's `event` is null.
    """

    sender = UserRefSerializer(read_only=True)
    organization = OrganizationRefSerializer(
        source="sender_organization", read_only=True, allow_null=True
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "seq",
            "sender",
            "organization",
            "kind",
            "body",
            "event",
            "client_msg_id",
            "created_at",
        ]
        read_only_fields = fields


_timestamp = serializers.DateTimeField()


def message_payload(message: Message) -> dict:
    """`MessageSerializer(message).data` as plain JSON types (it crosses the channel layer),
    built by hand: it is on every send's path, and a test holds the two equal."""
    organization = message.sender_organization
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "sender": {"id": message.sender_id, "name": message.sender.full_name},
        "organization": (
            {"id": organization.pk, "name": organization.name, "kind": organization.kind}
            if organization is not None
            else None
        ),
        "kind": message.kind,
        "body": message.body,
        "event": message.event,
        "client_msg_id": message.client_msg_id,
        "created_at": _timestamp.to_representation(message.created_at),
    }


class ChallengeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ConversationSerializer(StrictModelSerializer):
    """One conversation as the asking user sees it (`unread_count` and `last_read_seq` are
    theirs). Built by `selectors.conversations_for`, which annotates what is per user."""

    challenge = ChallengeRefSerializer(source="match.challenge", read_only=True)
    enterprise = OrganizationRefSerializer(read_only=True)
    startup = OrganizationRefSerializer(read_only=True)
    last_read_seq = serializers.IntegerField(source="my_last_read_seq", read_only=True)
    unread_count = serializers.IntegerField(read_only=True)
    can_send = serializers.BooleanField(read_only=True)
    last_message = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "match",
            "challenge",
            "enterprise",
            "startup",
            "last_seq",
            "last_read_seq",
            "unread_count",
            "can_send",
            "last_message",
            "last_message_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(allow_null=True))
    def get_last_message(self, conversation: Conversation) -> dict | None:
        message = self.context.get("last_messages", {}).get(conversation.pk)
        return message_payload(message) if message is not None else None


class ReadStateSerializer(serializers.Serializer):
    conversation = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()


class ParticipantSerializer(serializers.Serializer):
    conversation = serializers.IntegerField(source="conversation_id")
    user = UserRefSerializer()
    kind = serializers.CharField()
    invited_by = serializers.IntegerField(source="invited_by_id", allow_null=True)


class TicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    expires_at = serializers.DateTimeField()
    expires_in = serializers.IntegerField(help_text="Seconds left; the ticket opens one socket.")
