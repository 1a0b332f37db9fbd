"""The team review API: a challenge's rubric, a match's scores, reviewers and internal notes.
Only the firm that owns the challenge reaches any of it (operators read it); to anyone else
each of these answers 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.accounts.viewsets import ActorMixin
from backend.common.errors import NotFoundError
from backend.common.serializers import ID_MAX, StrictCharField, StrictIntegerField
from backend.reviews import selectors, services
from backend.reviews.models import (
    CRITERIA_MAX,
    CRITERIA_MIN,
    NOTE_MAX_LENGTH,
    SCORE_MAX,
    SCORE_MIN,
    WEIGHT_MAX,
    WEIGHT_MIN,
)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.full_name or user.email


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = StrictCharField(max_length=100)
    description = StrictCharField(max_length=500, allow_blank=True, required=False, default="")
    weight = StrictIntegerField(min_value=WEIGHT_MIN, max_value=WEIGHT_MAX)
    position = serializers.IntegerField(read_only=True)


class RubricSerializer(serializers.Serializer):
    challenge = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)
    locked = serializers.BooleanField(
        help_text="Someone has scored against the rubric: it can no longer change."
    )


class RubricInputSerializer(serializers.Serializer):
    criteria = CriterionSerializer(
        many=True,
        min_length=CRITERIA_MIN,
        max_length=CRITERIA_MAX,
        help_text="The criteria in order; they replace the rubric's.",
    )


def _rubric_payload(challenge) -> dict:
    rubric = selectors.rubric_of(challenge)
    return {
        "challenge": challenge.pk,
        "criteria": list(rubric.criteria.all()) if rubric else [],
        "locked": selectors.rubric_locked(challenge),
    }


class RubricView(ActorMixin, APIView):
    @extend_schema(responses={200: RubricSerializer})
    def get(self, request, pk: int):
        """The challenge's rubric; no criteria when it has none."""
        challenge = selectors.challenge_get_for_rubric(self.actor, pk)
        return Response(RubricSerializer(_rubric_payload(challenge)).data)

    @extend_schema(request=RubricInputSerializer, responses={200: RubricSerializer})
    def put(self, request, pk: int):
        """Set the rubric: 2 to 6 criteria, each weighted 1 to 10. Only until the first score
        (409 after)."""
        challenge = selectors.challenge_get_for_rubric(self.actor, pk)
        body = RubricInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rubric_set(
            actor=self.actor, challenge=challenge, criteria=body.validated_data["criteria"]
        )
        return Response(RubricSerializer(_rubric_payload(challenge)).data)


class ScoreSerializer(serializers.Serializer):
    criterion = StrictIntegerField(min_value=1, max_value=ID_MAX, source="criterion_id")
    score = StrictIntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX)


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewer = PersonSerializer()
    scores = ScoreSerializer(many=True, source="scores.all")
    weighted_mean = serializers.DecimalField(
        max_digits=3, decimal_places=2, help_text="sum(weight x score) / sum(weight)."
    )
    updated_at = serializers.DateTimeField()


class AggregateSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many members have scored.")
    mean = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        allow_null=True,
        help_text="The mean of the reviewers' weighted means; null until you have scored.",
    )
    lowest = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Spread: the lowest mean."
    )
    highest = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Spread: the highest mean."
    )


class AssignmentSerializer(serializers.Serializer):
    reviewer = PersonSerializer()
    assigned_by = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonSerializer(allow_null=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class TeamReviewSerializer(serializers.Serializer):
    match = serializers.IntegerField(source="match.pk")
    criteria = CriterionSerializer(many=True)
    mine = ReviewSerializer(allow_null=True)
    blind = serializers.BooleanField(
        help_text="You have not scored yet: the others' reviews and the aggregate (beyond its "
        "count) are held back until you do."
    )
    reviews = ReviewSerializer(many=True)
    aggregate = AggregateSerializer()
    reviewers = AssignmentSerializer(many=True)


class MatchScoreSerializer(serializers.Serializer):
    match = serializers.IntegerField(source="match_id")
    blind = serializers.BooleanField(help_text="You have not scored this match yet.")
    aggregate = AggregateSerializer()


class ChallengeReviewsView(ActorMixin, APIView):
    @extend_schema(responses={200: MatchScoreSerializer(many=True)})
    def get(self, request, pk: int):
        """The team score of each of the challenge's matches that anyone has scored, by match
        id (the mean and spread only of those you have scored yourself)."""
        challenge = selectors.challenge_get_for_rubric(self.actor, pk)
        scores = selectors.team_scores(self.actor, challenge)
        return Response(MatchScoreSerializer(scores, many=True).data)


class ReviewInputSerializer(serializers.Serializer):
    scores = ScoreSerializer(many=True, max_length=CRITERIA_MAX, help_text="One per criterion.")


class ReviewsView(ActorMixin, APIView):
    @extend_schema(responses={200: TeamReviewSerializer})
    def get(self, request, pk: int):
        """The firm's review of a match: the rubric, my review, the others' and the aggregate
        once I have scored, and the assigned reviewers."""
        match = selectors.match_get_for_review(self.actor, pk)
        return Response(TeamReviewSerializer(selectors.team_review(self.actor, match)).data)


class MyReviewView(ActorMixin, APIView):
    @extend_schema(request=ReviewInputSerializer, responses={200: TeamReviewSerializer})
    def put(self, request, pk: int):
        """Score the match: 1 to 5 for every criterion of the rubric (409 when it has none)."""
        match = selectors.match_get_for_review(self.actor, pk)
        body = ReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scores = {item["criterion_id"]: item["score"] for item in body.validated_data["scores"]}
        if len(scores) != len(body.validated_data["scores"]):
            raise serializers.ValidationError({"scores": [_("One score per criterion.")]})
        services.review_submit(actor=self.actor, match=match, scores=scores)
        return Response(TeamReviewSerializer(selectors.team_review(self.actor, match)).data)


class AssignSerializer(serializers.Serializer):
    user = StrictIntegerField(min_value=1, max_value=ID_MAX, help_text="A member of your firm.")


def _user(pk: int) -> User:
    """A user by id; a missing one reads as any user outside the firm (the service's rule)."""
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise serializers.ValidationError({"user": [_("Not a member of your firm.")]})
    return user


class ReviewersView(ActorMixin, APIView):
    @extend_schema(request=AssignSerializer, responses={201: AssignmentSerializer})
    def post(self, request, pk: int):
        """Ask a member of your firm to review the match (asking again changes nothing)."""
        match = selectors.match_get_for_review(self.actor, pk)
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = services.reviewer_assign(
            actor=self.actor, match=match, reviewer=_user(body.validated_data["user"])
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class ReviewerView(ActorMixin, APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int, user_id: int):
        """No longer ask this member to review the match (harmless when they were not asked)."""
        match = selectors.match_get_for_review(self.actor, pk)
        reviewer = User.objects.filter(pk=user_id).first()
        if reviewer is None:
            raise NotFoundError(_("User not found."))
        services.reviewer_unassign(actor=self.actor, match=match, reviewer=reviewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=NOTE_MAX_LENGTH)


class NotesView(ActorMixin, APIView):
    @extend_schema(responses={200: NoteSerializer(many=True)})
    def get(self, request, pk: int):
        """The firm's internal notes on the match, oldest first. Never shown to the startup."""
        match = selectors.match_get_for_review(self.actor, pk)
        return Response(NoteSerializer(selectors.notes_of(match), many=True).data)

    @extend_schema(request=NoteInputSerializer, responses={201: NoteSerializer})
    def post(self, request, pk: int):
        match = selectors.match_get_for_review(self.actor, pk)
        body = NoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.note_add(actor=self.actor, match=match, text=body.validated_data["text"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
