"""Notification kinds in the groups a user chooses mail for, with each group's default."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.notifications.models import Delivery


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise
    kinds: frozenset[str]
    default: str


GROUPS = [
    Group(
        "invitations",
        _("Invitations: to a cohort, or to review a startup"),
        frozenset({"cohort.invited", "review.assigned"}),
        Delivery.IMMEDIATELY,
    ),
    Group(
        "connections",
        _("Connections and conversations opened"),
        frozenset({"match.connected", "conversation.opened", "conversation.invited"}),
        Delivery.IMMEDIATELY,
    ),
    Group(
        "new_matches",
        _("New matches and applications"),
        frozenset({"match.proposed", "match.applied"}),
        Delivery.DAILY,
    ),
    # What asks for an answer by a date: mailed at once, or it would come a day late.
    Group(
        "reminders",
        _("Reminders: a startup waiting for your answer, a quiet pilot, a decision due"),
        frozenset({"match.overdue", "pilot.quiet", "pilot.due"}),
        Delivery.IMMEDIATELY,
    ),
    # Every other kind (interest, shortlists, declines...) falls here.
    Group(
        "activity",
        _("Other activity on your matches"),
        frozenset(),
        Delivery.DAILY,
    ),
]
BY_KEY = {group.key: group for group in GROUPS}
FALLBACK = BY_KEY["activity"]


def group_of(kind: str) -> Group:
    return next((group for group in GROUPS if kind in group.kinds), FALLBACK)
