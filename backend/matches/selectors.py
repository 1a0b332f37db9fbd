from __future__ import annotations

from django.db.models import QuerySet

from backend.accounts.selectors import Actor
from backend.common.errors import NotFoundError
from backend.matches import engine
from backend.matches.models import Match, Side
from backend.programs.models import Challenge
from backend.programs.selectors import LIVE_STATUSES, challenges_visible_to
from backend.startups.selectors import profiles_visible_to
from backend.startups.visibility import profile_view, profile_withheld
from matching import Document, ScoredDoc

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
            startup__organization_id=actor.organization_id, challenge__status__in=LIVE_STATUSES
        )
    return qs.none()


def as_seen_by(actor: Actor, matches):
    """The matches (a list or queryset, evaluated here) with what the actor sees of each one's
    startup: `startup_view` (see `backend.startups.visibility`) and `evidence_view`, the
    evidence, withheld with a withdrawn profile because it quotes the profile."""
    rows = list(matches)
    for match in rows:
        match.startup_view = profile_view(
            actor, match.startup, connected=match.status == Match.Status.CONNECTED
        )
        match.evidence_view = {} if profile_withheld(actor, match.startup) else match.evidence
    return rows


def match_get_for_actor(actor: Actor, pk: int) -> Match:
    match = matches_visible_to(actor).filter(pk=pk).first()
    if match is None:
        raise NotFoundError("Match not found.")
    return match


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
    visible = challenges_visible_to(actor).filter(status=Challenge.Status.OPEN)
    return search_space(Side.CHALLENGE, text, allowed & visible, k)


def search_startups(actor: Actor, text: str, *, allowed: QuerySet, k: int):
    """Published profiles that fit the query, best first (firms and operators)."""
    return search_space(Side.STARTUP, text, allowed & profiles_visible_to(actor), k)
