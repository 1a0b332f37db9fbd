from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import Actor
from backend.common.errors import NotFoundError
from backend.matches import engine
from backend.matches.models import ApplicationAttachment, Match, Side
from backend.programs.models import Challenge
from backend.programs.selectors import LIVE_STATUSES, challenges_visible_to
from backend.startups.selectors import profiles_visible_to
from backend.startups.visibility import blank, profile_view, profile_withheld, visible_fields
from matching import Document, ScoredDoc

if TYPE_CHECKING:
    from django_stubs_ext import ValuesQuerySet

# How long the side that declined may take it back.
UNDO_DECLINE_DAYS = 7

# A match lists its two sides by name; their long texts stay in the database.
LONG_TEXT = (
    "challenge__problem_statement",
    "challenge__desired_outcomes",
    "challenge__required_capabilities",
    "challenge__accelerator__description",
    "startup__summary",
    "startup__capabilities",
)


def matches_visible_to(actor: Actor) -> QuerySet[Match]:
    """Operators: all. A firm: its challenges' matches. A startup: its own, on live challenges."""
    qs = Match.objects.select_related(
        "challenge__accelerator__enterprise", "startup__organization"
    ).defer(*LONG_TEXT)
    if actor.is_operator:
        return qs
    if actor.is_enterprise:
        return qs.filter(challenge__accelerator__enterprise_id=actor.organization_id)
    if actor.is_startup:
        return qs.filter(
            startup__organization=actor.organization, challenge__status__in=LIVE_STATUSES
        )
    return qs.none()


# The steps of a match's timeline after its origin, and the column that dates each one.
STEPS = (
    ("viewed", "viewed_at"),
    ("shortlisted", "shortlisted_at"),
    ("interested", "enterprise_interested_at"),
    ("declined", "declined_at"),
    ("connected", "connected_at"),
)


def timeline(match: Match) -> list[dict]:
    """Where a match has been, oldest first, as the startup follows it: what happened and
    when, never who did it ("interested" is the firm's answer)."""
    return _timeline(match.origin, match.created_at, [getattr(match, c) for _, c in STEPS])


def _timeline(origin: str, created_at: datetime, dates: list[datetime | None]) -> list[dict]:
    steps = [(origin, created_at), *zip((step for step, _ in STEPS), dates, strict=True)]
    return [{"step": step, "at": at} for step, at in steps if at is not None]


def undo_decline_until(actor: Actor, match: Match) -> datetime | None:
    """Until when the actor may take back the match's decline: its own side's, for
    `UNDO_DECLINE_DAYS`; None when it may not."""
    if match.declined_at is None or not declined_by_own_side(actor, match):
        return None
    until = match.declined_at + timedelta(days=UNDO_DECLINE_DAYS)
    return until if timezone.now() < until else None


def as_seen_by(actor: Actor, matches):
    """The matches (a list or queryset, evaluated here) with what the actor sees of each one:
    `startup_view` (see `backend.startups.visibility`); `evidence_view`, the evidence, withheld
    with a withdrawn profile because it quotes the profile; `note_view`, a decline's internal
    note for its own side only; `undo_until`; and the `steps` of its timeline."""
    rows = list(matches)
    for match in rows:
        match.startup_view = profile_view(
            actor, match.startup, connected=match.status == Match.Status.CONNECTED
        )
        match.evidence_view = {} if profile_withheld(actor, match.startup) else match.evidence
        match.note_view = match.decline_note if declined_by_own_side(actor, match) else ""
        match.undo_until = undo_decline_until(actor, match)
        match.steps = timeline(match)
    return rows


def declined_by_own_side(actor: Actor | None, match: Match) -> bool:
    """Whether the actor belongs to the side that declined the match: only it reads the
    internal note of the decline."""
    return _declined_by_side_of(
        actor,
        match.status,
        match.declined_side,
        enterprise_id=match.challenge.accelerator.enterprise_id,
        startup_organization_id=match.startup.organization_id,
    )


def _declined_by_side_of(
    actor: Actor | None,
    status: str,
    declined_side: str,
    *,
    enterprise_id: int,
    startup_organization_id: int,
) -> bool:
    if actor is None or status != Match.Status.DECLINED:
        return False
    if declined_side == Match.Side.ENTERPRISE:
        return actor.is_enterprise and enterprise_id == actor.organization_id
    return actor.is_startup and startup_organization_id == actor.organization_id


# What the matches list reads: every column of a match and the short fields of its two sides,
# one query of values a page and no model instances (the list is the API's busiest read).
LISTED = (
    *(field.attname for field in Match._meta.concrete_fields),
    "challenge__title",
    "challenge__status",
    "challenge__visibility",
    "challenge__accelerator__enterprise_id",
    "challenge__accelerator__enterprise__name",
    "startup__name",
    "startup__pitch",
    "startup__stage",
    "startup__region",
    "startup__trl",
    "startup__organization_id",
    "startup__published",
)
# The profile's fields a listed row shows, as `startup__<field>` (the others are its keys).
LISTED_PROFILE = ("name", "pitch", "stage", "region", "trl")


@dataclass(frozen=True)
class ListedProfile:
    """What the visibility rules (`backend.startups.visibility`) read of a listed startup."""

    published: bool
    organization_id: int


class ListedMatches:
    """The matches (from `matches_visible_to`, filtered and ordered) as rows of `LISTED`
    values, for a paginator: a page is one query, and the count is the matches' own (the
    columns' joins would only slow it)."""

    def __init__(self, matches: QuerySet[Match]):
        self.matches = matches
        self.ordered = matches.ordered

    def count(self) -> int:
        return self.matches.count()

    def __getitem__(self, page: slice) -> ValuesQuerySet[Match, dict[str, Any]]:
        return self.matches.values(*LISTED)[page]


def as_listed(actor: Actor, rows: Iterable[dict]) -> list[dict]:
    """Rows of `ListedMatches` with what the actor sees of each, as `as_seen_by` says it of
    instances: the profile's hidden fields blank and `startup_withheld`; the evidence empty
    with a withdrawn profile; the decline's internal note for its own side only; the
    `steps` of the timeline; and the match's `attachments` (one query for all the rows)."""
    rows = list(rows)
    attachments = attachments_by_match([row["id"] for row in rows])
    for row in rows:
        profile = ListedProfile(row["startup__published"], row["startup__organization_id"])
        withheld = profile_withheld(actor, profile)
        if withheld:
            shown = visible_fields(
                actor, profile, connected=row["status"] == Match.Status.CONNECTED
            )
            for field in LISTED_PROFILE:
                if field not in shown:
                    row[f"startup__{field}"] = blank(field)
            row["evidence"] = {}
        row["startup_withheld"] = withheld
        if not _declined_by_side_of(
            actor,
            row["status"],
            row["declined_side"],
            enterprise_id=row["challenge__accelerator__enterprise_id"],
            startup_organization_id=row["startup__organization_id"],
        ):
            row["decline_note"] = ""
        row["steps"] = _timeline(row["origin"], row["created_at"], [row[c] for _, c in STEPS])
        row["attachments"] = attachments[row["id"]]
    return rows


def attachments_by_match(match_ids: list[int]) -> dict[int, list[dict]]:
    """The documents of these matches, oldest first, as values by match id."""
    found: dict[int, list[dict]] = defaultdict(list)
    if match_ids:
        for row in ApplicationAttachment.objects.filter(match_id__in=match_ids).values(
            "id", "match_id", "name", "size", "created_at"
        ):
            shown = dict(row)
            found[row["match_id"]].append(shown)
            del shown["match_id"]
    return found


def attachment_of(match: Match, pk: int) -> ApplicationAttachment:
    """One of a match's documents; the match comes scoped to the reader (`matches_visible_to`:
    its firm, operators, its startup), so the document is theirs to read."""
    attachment = match.attachments.filter(pk=pk).first()
    if attachment is None:
        raise NotFoundError(_("Document not found."))
    return attachment


def challenge_matches_for_actor(actor: Actor, challenge_id: int) -> QuerySet[Match]:
    """The matches of one challenge, for its firm and operators; to anyone else (a startup, a
    firm that may read the challenge but does not own it) the challenge is not found."""
    if actor.is_startup:
        raise NotFoundError(_("Challenge not found."))
    # Only the owner is read: the check loads none of the challenge's texts.
    owner = (
        challenges_visible_to(actor)
        .filter(pk=challenge_id)
        .values_list("accelerator__enterprise_id", flat=True)
        .first()
    )
    if owner is None or not (actor.is_operator or owner == actor.organization_id):
        raise NotFoundError(_("Challenge not found."))
    return matches_visible_to(actor).filter(challenge_id=challenge_id)


def match_get_for_actor(actor: Actor, pk: int) -> Match:
    match = matches_visible_to(actor).filter(pk=pk).first()
    if match is None:
        raise NotFoundError(_("Match not found."))
    return match


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days (Monday to Friday, local dates) from `start` to `end`."""
    first, last = timezone.localdate(start), timezone.localdate(end)
    return int(np.busday_count(first, last)) if last > first else 0


def awaiting_firm() -> QuerySet[Match]:
    """Matches where the startup has spoken (applied, or said interested) and the firm has
    not answered yet, on open challenges: what the response promise is about."""
    return Match.objects.filter(
        status=Match.Status.STARTUP_INTERESTED, challenge__status=Challenge.Status.OPEN
    )


def firm_response_stats(enterprise_id: int) -> dict:
    """How fast a firm answers startups that spoke first: the median in working days from the
    startup's interest (or application) to the firm's interest or decline, and over how many."""
    answered = Match.objects.filter(
        challenge__accelerator__enterprise_id=enterprise_id, startup_interested_at__isnull=False
    ).filter(
        Q(enterprise_interested_at__gte=F("startup_interested_at"))
        | Q(declined_side=Match.Side.ENTERPRISE, declined_at__gte=F("startup_interested_at"))
    )
    # The filters above hold both ends of every wait; the checks only say so to the types.
    waits = [
        working_days_between(asked, answer)
        for asked, interested, declined in answered.values_list(
            "startup_interested_at", "enterprise_interested_at", "declined_at"
        )
        if asked is not None and (answer := interested or declined) is not None
    ]
    return {
        "median_days": statistics.median(waits) if waits else None,
        "answered": len(waits),
    }


def applications_to_rank() -> QuerySet[Match]:
    """Applications the indexer has not ranked yet (oldest first)."""
    return Match.objects.filter(origin=Match.Origin.APPLIED, rank__isnull=True).order_by("id")


def _query(text: str):
    """A free-text query as the engine reads a document: chunked and encoded like one."""
    model = engine.embedder()
    document = Document(id=0, text=text)
    chunks = model.chunk(document)
    return document, chunks, model.encode_all([chunk.text for chunk in chunks])


def search_space(side: str, text: str, allowed: QuerySet, k: int) -> list[tuple[object, ScoredDoc]]:
    """The rows of `allowed` (already scoped to the actor) that fit a free-text query, best
    first: only those with the engine's evidence (`EngineConfig.floor("search", ...)`), so a
    query that nothing fits finds nothing. A query in either language finds documents in both."""
    space = engine.registry.space(side)
    allow_ids = {pk for pk in allowed.values_list("pk", flat=True) if pk in space}
    if not allow_ids:
        return []
    document, chunks, vectors = _query(text)
    if not chunks:  # control characters only: nothing a document could fit
        return []
    hits = space.search(document, chunks, vectors, k=k, allow_ids=allow_ids, evidenced=True)
    rows = allowed.in_bulk([hit.doc_id for hit in hits])
    return [(rows[hit.doc_id], hit) for hit in hits if hit.doc_id in rows]


def search_challenges(actor: Actor, text: str, *, allowed: QuerySet, k: int):
    """Open challenges the actor may see that fit the query, best first."""
    # The scoped selector first: its related rows are loaded with the hits (one query each).
    visible = challenges_visible_to(actor).filter(status=Challenge.Status.OPEN)
    return search_space(Side.CHALLENGE, text, visible & allowed, k)


def search_startups(actor: Actor, text: str, *, allowed: QuerySet, k: int):
    """Published profiles that fit the query, best first (firms and operators)."""
    return search_space(Side.STARTUP, text, profiles_visible_to(actor) & allowed, k)
