"""Reads of pilots and outcomes, scoped to the asker: a firm its challenges' matches', a startup
its own, operators all; any other id answers as a missing one."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.accounts.selectors import Actor
from backend.common.errors import NotFoundError
from backend.matches.models import Match
from backend.pilots.models import Outcome, Pilot, PilotUpdate


def _of_own_matches(actor: Actor, prefix: str = "") -> Q | None:
    """The rows on the actor's matches (None: all of them, for operators; Q(pk=None): none)."""
    if actor.is_operator:
        return None
    if actor.is_enterprise:
        return Q(**{f"{prefix}challenge__accelerator__enterprise_id": actor.organization_id})
    if actor.is_startup:
        return Q(**{f"{prefix}startup__organization_id": actor.organization_id})
    return Q(pk__in=[])


def _scoped(qs: QuerySet, actor: Actor, prefix: str) -> QuerySet:
    scope = _of_own_matches(actor, prefix)
    return qs if scope is None else qs.filter(scope)


def side_of(actor: Actor, match: Match) -> str | None:
    """The side of the match the actor acts for, or None when it is no party to it."""
    if actor.is_enterprise and actor.organization_id == match.challenge.accelerator.enterprise_id:
        return Match.Side.ENTERPRISE
    if actor.is_startup and actor.organization_id == match.startup.organization_id:
        return Match.Side.STARTUP
    return None


def matches_for_pilots(actor: Actor) -> QuerySet[Match]:
    """The matches whose pilots and outcomes the actor sees: its own side's, or any (operators);
    a closed challenge's included, unlike the matches list."""
    return _scoped(Match.objects.select_related("challenge__accelerator", "startup"), actor, "")


def match_get_for_party(actor: Actor, pk: int) -> Match:
    match = matches_for_pilots(actor).filter(pk=pk).first()
    if match is None:
        raise NotFoundError(_("Match not found."))
    return match


def pilots_visible_to(actor: Actor) -> QuerySet[Pilot]:
    qs = Pilot.objects.select_related(
        "match__challenge__accelerator", "match__startup", "decision_owner"
    )
    return _scoped(qs, actor, "match__")


def pilot_get_for_actor(actor: Actor, pk: int) -> Pilot:
    pilot = pilots_visible_to(actor).filter(pk=pk).first()
    if pilot is None:
        raise NotFoundError(_("Pilot not found."))
    return pilot


def pilot_updates(pilot: Pilot) -> QuerySet[PilotUpdate]:
    return pilot.updates.select_related("author")


def outcomes_visible_to(actor: Actor) -> QuerySet[Outcome]:
    qs = Outcome.objects.select_related("match__challenge__accelerator", "match__startup")
    return _scoped(qs, actor, "match__")


def outcome_get_for_actor(actor: Actor, pk: int) -> Outcome:
    outcome = outcomes_visible_to(actor).filter(pk=pk).first()
    if outcome is None:
        raise NotFoundError(_("Outcome not found."))
    return outcome


def firm_members(match: Match) -> QuerySet[User]:
    """Who may own a pilot's decision: the active members of the firm that owns the challenge."""
    return User.objects.filter(
        memberships__organization_id=match.challenge.accelerator.enterprise_id, is_active=True
    ).order_by("full_name", "email")
