"""Reads of conversations and messages, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Membership, Organization, User
from backend.accounts.selectors import Actor, actor_for
from backend.chat.models import Conversation, Message, Participant
from backend.common.errors import NotFoundError
from backend.matches.models import Match
from backend.matches.selectors import as_seen_by, matches_visible_to
from backend.programs.models import CohortMembership
from backend.programs.selectors import cohorts_visible_to
from backend.startups.models import StartupProfile
from backend.startups.selectors import profiles_visible_to
from backend.startups.visibility import ProfileView, profile_view


class Role(StrEnum):
    """How a user stands in one conversation."""

    MEMBER = "member"  # a member of one of the two organisations: reads and writes
    OPERATOR = "operator"  # an operator a participant invited: reads and writes
    READER = "reader"  # any other operator: reads only


WRITING_ROLES = frozenset({Role.MEMBER, Role.OPERATOR})


def conversation_role(actor: Actor, conversation: Conversation) -> Role | None:
    """The actor's role in the conversation, or None when they may not even see it."""
    if actor.organization_id is not None and actor.organization_id in (
        conversation.enterprise_id,
        conversation.startup_id,
    ):
        return Role.MEMBER
    if actor.is_operator:
        invited = Participant.objects.filter(
            conversation=conversation, user=actor.user, kind=Participant.Kind.OPERATOR
        ).exists()
        return Role.OPERATOR if invited else Role.READER
    return None


def conversation_role_now(user: User, conversation: Conversation) -> Role | None:
    """The user's role re-read from the database (active account, membership, invitation),
    bypassing the actor cached on the user object and refreshing it, so the services called
    next see the same answer. One query, two for an operator. For sockets, which hold a user
    object for their whole life."""
    return conversation_role(actor_for(user, fresh=True), conversation)


def conversations_visible_to(actor: Actor) -> QuerySet[Conversation]:
    """Operators: all. Members of a firm or a startup: their organisation's. Anyone else: none."""
    qs = Conversation.objects.select_related("match__challenge", "enterprise", "startup")
    if actor.is_operator:
        return qs
    if actor.organization_id is None:
        return qs.none()
    return qs.filter(Q(enterprise_id=actor.organization_id) | Q(startup_id=actor.organization_id))


def conversation_get_for_actor(
    actor: Actor, pk: int, *, with_read_state: bool = False
) -> Conversation:
    """The conversation if the actor may read it; otherwise not-found, whether it exists or not.
    `with_read_state` adds the annotations of `conversations_for`."""
    qs = conversations_for(actor) if with_read_state else conversations_visible_to(actor)
    conversation = qs.filter(pk=pk).first()
    if conversation is None:
        raise NotFoundError(_("Conversation not found."))
    return conversation


def conversations_for(actor: Actor) -> QuerySet[Conversation]:
    """The actor's conversations, latest activity first, with their own read state:
    `my_last_read_seq`, `unread_count` (others' messages after it) and `can_send`."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=actor.user)
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), seq__gt=OuterRef("my_last_read_seq"))
        .exclude(sender=actor.user)
        .order_by()
        .values("conversation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    qs = (
        conversations_visible_to(actor)
        .annotate(
            my_last_read_seq=Coalesce(Subquery(mine.values("last_read_seq")[:1]), Value(0)),
            unread_count=Coalesce(Subquery(unread), Value(0)),
            last_activity_at=Coalesce("last_message_at", "created_at"),
        )
        .order_by("-last_activity_at", "-id")
    )
    if actor.is_operator:
        invited = mine.filter(kind=Participant.Kind.OPERATOR)
        can_send = Q(pk__in=Subquery(invited.values("conversation")))
        return qs.annotate(can_send=ExpressionWrapper(can_send, output_field=BooleanField()))
    return qs.annotate(can_send=Value(True, output_field=BooleanField()))


def last_messages(conversations: list[Conversation]) -> dict[int, Message]:
    """The latest message of each conversation (those that have one), in one query."""
    if not conversations:
        return {}
    rows = Message.objects.filter(
        conversation__in=conversations, seq=F("conversation__last_seq")
    ).select_related("sender", "sender_organization")
    return {message.conversation_id: message for message in rows}


def messages_page(
    conversation: Conversation,
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> tuple[list[Message], bool]:
    """One page of messages in `seq` order, and whether more lie beyond it.

    With `after_seq`, the page starts just after it and `has_more` looks forward (newer); without,
    the page ends just before `before_seq` (or at the latest message) and `has_more` looks back.
    """
    qs = Message.objects.filter(conversation=conversation).select_related(
        "sender", "sender_organization"
    )
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    if after_seq is not None:
        rows = list(qs.filter(seq__gt=after_seq).order_by("seq")[: limit + 1])
        return rows[:limit], len(rows) > limit
    rows = list(qs.order_by("-seq")[: limit + 1])
    return rows[:limit][::-1], len(rows) > limit


def messages_after(conversation_id: int, after_seq: int, limit: int) -> list[Message]:
    """Stored messages with `seq` greater than `after_seq`, oldest first: a resume's replay."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
        .select_related("sender", "sender_organization")
        .order_by("seq")[:limit]
    )


def conversation_last_seq(conversation_id: int) -> int:
    return (
        Conversation.objects.filter(pk=conversation_id).values_list("last_seq", flat=True).first()
        or 0
    )


def conversation_ids_of_user(user_id: int) -> list[int]:
    """The conversations a user takes part in: those of the user's organisations, and those
    the user was invited to as an operator."""
    organizations = Membership.objects.filter(user_id=user_id).values("organization_id")
    invited = Participant.objects.filter(user_id=user_id, kind=Participant.Kind.OPERATOR)
    return list(
        Conversation.objects.filter(
            Q(enterprise_id__in=organizations)
            | Q(startup_id__in=organizations)
            | Q(pk__in=invited.values("conversation_id"))
        )
        .order_by()
        .values_list("pk", flat=True)
    )


def invited_operators(conversation: Conversation) -> QuerySet[User]:
    return User.objects.filter(
        chat_participations__conversation=conversation,
        chat_participations__kind=Participant.Kind.OPERATOR,
    ).order_by("full_name", "email")


def invitable_operators(conversation: Conversation) -> QuerySet[User]:
    """Active platform operators not yet in the conversation: whom a participant may invite."""
    return (
        User.objects.filter(
            is_active=True, memberships__organization__kind=Organization.Kind.OPERATOR
        )
        .exclude(pk__in=invited_operators(conversation).values("pk"))
        .distinct()
        .order_by("full_name", "email")
    )


@dataclass
class StartupHistory:
    """A startup as one firm (or the operators) knows it: its profile as they may read it
    (`backend.startups.visibility`), the matches of their challenges with it, newest first,
    as `as_seen_by` gives them (a decline's internal note for its own side only) with
    `conversation_id` (None until connected), and its places in their cohorts."""

    startup: ProfileView
    matches: list[Match]
    cohort_places: list[CohortMembership]


def startup_history_for_actor(actor: Actor, pk: int) -> StartupHistory:
    """A startup as a firm or an operator opens it: a profile they may read, or a withdrawn
    one they share a history with (the history still refers to it). Anyone else, and any
    startup, gets not-found.

    It spans matches, cohorts and conversations, so it lives here: chat is the lowest app that
    sees all three."""
    if not (actor.is_enterprise or actor.is_operator):
        raise NotFoundError(_("Startup not found."))
    profile = StartupProfile.objects.select_related("organization").filter(pk=pk).first()
    if profile is None:
        raise NotFoundError(_("Startup not found."))
    matches = as_seen_by(
        actor,
        matches_visible_to(actor)
        .filter(startup=profile)
        .order_by("-created_at", "-id")
        .annotate(conversation_id=Subquery(_conversation_of_match())),
    )
    places = CohortMembership.objects.filter(
        startup_id=profile.organization_id, cohort__in=cohorts_visible_to(actor)
    ).select_related("cohort__accelerator__enterprise")
    if not actor.is_operator:
        # As on the cohort board: a withdrawn place is the operators' business.
        places = places.exclude(status=CohortMembership.Status.WITHDRAWN)
    cohort_places = list(places.order_by("-created_at", "-id"))
    readable = profiles_visible_to(actor).filter(pk=pk).exists()
    if not (readable or matches or cohort_places):
        raise NotFoundError(_("Startup not found."))
    connected = any(match.status == Match.Status.CONNECTED for match in matches)
    return StartupHistory(
        startup=profile_view(actor, profile, connected=connected),
        matches=matches,
        cohort_places=cohort_places,
    )


def _conversation_of_match():
    """A match's conversation: whoever sees the match (its firm, an operator) sees that too."""
    return Conversation.objects.filter(match_id=OuterRef("pk")).values("pk")[:1]
