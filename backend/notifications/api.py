from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.serializers import ID_MAX, StrictIntegerField, StrictModelSerializer
from backend.notifications import selectors, services
from backend.notifications.groups import GROUPS
from backend.notifications.models import Delivery, Notification


class NotificationSerializer(StrictModelSerializer):
    type = serializers.CharField(source="kind")
    seen = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "type", "event", "created_at", "seen"]

    def get_seen(self, notification: Notification) -> bool:
        return notification.seen_at is not None


class NotificationsQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class SeenSerializer(serializers.Serializer):
    up_to = StrictIntegerField(min_value=0, max_value=ID_MAX, required=False)
    ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=ID_MAX), max_length=500, default=list
    )

    def validate(self, data):
        if "up_to" not in data and not data["ids"]:
            raise serializers.ValidationError(_("Give `up_to`, `ids` or both."))
        return data


UNSEEN = {"unseen": serializers.IntegerField()}


class NotificationsView(APIView):
    @extend_schema(
        parameters=[NotificationsQuerySerializer],
        responses={
            200: inline_serializer(
                "NotificationPage",
                {
                    "results": NotificationSerializer(many=True),
                    "has_more": serializers.BooleanField(),
                    **UNSEEN,
                },
            )
        },
    )
    def get(self, request):
        """My notifications, newest first (`?before=<id>` pages back), and how many I have not
        seen. A page reads this after every (re)connect of `/ws/notifications/` to catch up."""
        query = NotificationsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        rows = list(
            selectors.notifications_for(request.user, before=query.validated_data.get("before"))[
                : limit + 1
            ]
        )
        return Response(
            {
                "results": NotificationSerializer(rows[:limit], many=True).data,
                "has_more": len(rows) > limit,
                "unseen": selectors.unseen_count(request.user),
            }
        )


class SeenView(APIView):
    @extend_schema(
        request=SeenSerializer, responses={200: inline_serializer("UnseenCount", UNSEEN)}
    )
    def post(self, request):
        """Mark my notifications seen: all up to `up_to`, and those in `ids`."""
        body = SeenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unseen = services.notifications_mark_seen(user=request.user, **body.validated_data)
        return Response({"unseen": unseen})


class PreferencesSerializer(serializers.Serializer):
    """Per group of notifications, how they come by mail: `immediately`, `daily` (a digest)
    or `off`. The site shows every notification either way."""

    def get_fields(self):
        return {
            group.key: serializers.ChoiceField(
                choices=Delivery.choices, required=False, help_text=str(group.label)
            )
            for group in GROUPS
        }


class PreferencesView(APIView):
    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request):
        """My mail delivery for each group of notifications."""
        return Response(selectors.notification_preferences_for(request.user))

    @extend_schema(request=PreferencesSerializer, responses={200: PreferencesSerializer})
    def put(self, request):
        """Set my mail delivery for the groups given (the others keep theirs)."""
        body = PreferencesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deliveries = services.notification_preferences_set(
            user=request.user, deliveries=body.validated_data
        )
        return Response(deliveries)
