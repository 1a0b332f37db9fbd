"""Matches from both sides: a challenge's ranked startups, one match card, interest and decline."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.models import Organization
from backend.common.errors import ApplicationError, error_body
from backend.matches import services
from backend.matches.api import MatchFilter
from backend.matches.models import Match, Side
from backend.matches.selectors import (
    as_seen_by,
    attachment_of,
    match_get_for_actor,
    matches_visible_to,
)
from backend.startups.selectors import profile_of
from backend.web import selectors
from backend.web.forms import DeclineForm
from backend.web.views.base import (
    actor_of,
    back,
    error_text,
    flash_service,
    found,
    page,
    wants_json,
)

# Tabs over a match list: which statuses each one shows.
TABS = {
    "open": [
        Match.Status.PROPOSED,
        Match.Status.ENTERPRISE_INTERESTED,
        Match.Status.STARTUP_INTERESTED,
    ],
    "connected": [Match.Status.CONNECTED],
    "declined": [Match.Status.DECLINED],
}


def tab_of(request) -> str:
    tab = request.GET.get("tab", "open")
    return tab if tab in TABS else "open"


def tab_for(match: Match) -> str:
    """The tab a match is listed under."""
    return next(name for name, statuses in TABS.items() if match.status in statuses)


def tab_counts(matches) -> dict[str, int]:
    """How many matches each tab holds, in one query."""
    return matches.aggregate(
        **{name: Count("id", filter=Q(status__in=statuses)) for name, statuses in TABS.items()}
    )


@page(Organization.Kind.ENTERPRISE, Organization.Kind.OPERATOR)
def challenge_matches(request, pk: int):
    actor = actor_of(request)
    challenge = found(selectors.challenge_for_review, actor, pk)
    matches = matches_visible_to(actor).filter(challenge=challenge)
    # The API's own filter set and its form: a filter means the same on the page and in the API.
    filters = MatchFilter(request.GET or None, queryset=matches, request=request)
    form = filters.form
    if form.is_bound and form.is_valid():
        matches = filters.qs
    tab = tab_of(request)
    # Connected cards link their conversation: load it with the list, not one query per card.
    shown = as_seen_by(
        actor,
        matches.filter(status__in=TABS[tab])
        .select_related("conversation")
        .prefetch_related("attachments")
        .order_by(F("rank").asc(nulls_last=True), "id"),
    )
    services.matches_mark_viewed(actor=actor, match_ids=[m.pk for m in shown])
    # The region filter offers only the regions the viewer may read.
    regions = sorted(
        {
            m.startup_view.region
            for m in as_seen_by(actor, matches_visible_to(actor).filter(challenge=challenge))
            if m.startup_view.region
        }
    )
    return render(
        request,
        "web/firm/challenge_matches.html",
        {
            "challenge": challenge,
            "matches": shown,
            "form": form,
            "tab": tab,
            "counts": tab_counts(matches),
            "regions": regions,
            "decline_form": DeclineForm(),
            "viewer": "firm",
            "can_act": not actor.is_operator,
            "filtered": form.is_bound,
        },
    )


def _viewer(actor) -> str:
    return "startup" if actor.is_startup else "firm"


def _card(request, match: Match) -> str:
    actor = actor_of(request)
    return render_to_string(
        "web/partials/match_card.html",
        {
            "match": as_seen_by(actor, [match])[0],
            "viewer": _viewer(actor),
            "can_act": not actor.is_operator,
            "decline_form": DeclineForm(),
            "fresh": True,
        },
        request=request,
    )


@require_GET
@page()
def match_card(request, pk: int):
    """One match card, for the pages that add a newly proposed match without reloading."""
    match = found(match_get_for_actor, actor_of(request), pk)
    return JsonResponse(
        {"id": match.pk, "rank": match.rank, "tab": tab_for(match), "html": _card(request, match)}
    )


def _answer(request, pk: int, act) -> object:
    actor = actor_of(request)
    match = found(match_get_for_actor, actor, pk)
    try:
        match, done = act(actor, match)
    except ApplicationError as exc:
        if wants_json(request):
            return JsonResponse(exc.body(), status=exc.status_code)
        messages.error(request, error_text(exc))
    else:
        if wants_json(request):
            return JsonResponse(
                {
                    "id": match.pk,
                    "status": match.status,
                    "tab": tab_for(match),
                    "message": done,
                    "html": _card(request, match),
                }
            )
        messages.success(request, done)
    fallback = "web:for-you" if actor.is_startup else "web:challenge-matches"
    return back(request, fallback, *([] if actor.is_startup else [match.challenge_id]))


def _done_interest(match: Match) -> str:
    if match.status == Match.Status.CONNECTED:
        return _("Connected! You can now talk in a conversation.")
    return _("Noted. You will be connected when the other side is interested too.")


@require_POST
@page(Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)
def match_interest(request, pk: int):
    def act(actor, match):
        match = services.match_express_interest(match=match, actor=actor)
        return match, _done_interest(match)

    return _answer(request, pk, act)


@require_POST
@page(Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)
def match_decline(request, pk: int):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        message = _("The messages are too long (at most 1000 characters each).")
        if wants_json(request):
            return JsonResponse(error_body("invalid", message), status=400)
        messages.error(request, message)
        return back(request, "web:home")

    def act(actor, match):
        match = services.match_decline(match=match, actor=actor, **form.cleaned_data)
        return match, _(
            "Marked as not for you; it is now under Declined. You can take it back there "
            "within 7 days."
        )

    return _answer(request, pk, act)


@require_POST
@page(Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)
def match_undecline(request, pk: int):
    def act(actor, match):
        match = services.match_undo_decline(match=match, actor=actor)
        return match, _("Taken back: the match is open again.")

    return _answer(request, pk, act)


@require_POST
@page(Organization.Kind.ENTERPRISE)
def match_shortlist(request, pk: int):
    shortlisted = request.POST.get("shortlisted", "1") == "1"

    def act(actor, match):
        match = services.match_shortlist(match=match, actor=actor, shortlisted=shortlisted)
        done = _("Shortlisted.") if shortlisted else _("Taken off the shortlist.")
        return match, done

    return _answer(request, pk, act)


@require_GET
@page()
def match_document(request, pk: int, document_pk: int):
    """An application's PDF, for those who may read the match (its firm, operators, the
    startup that sent it)."""
    match = found(match_get_for_actor, actor_of(request), pk)
    document = found(attachment_of, match, document_pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type="application/pdf",
    )


@require_POST
@page(Organization.Kind.ENTERPRISE, Organization.Kind.STARTUP)
def matching_retry(request, side: str, pk: int):
    """ "Try again" after matching failed for one's own challenge or profile."""
    actor = actor_of(request)
    if side == Side.CHALLENGE:
        document = found(selectors.challenge_for_editing, actor, pk)
        fallback = ("web:challenge-matches", pk)
    else:
        document = profile_of(actor)
        if document is None or document.pk != pk:
            raise Http404("Profile not found.")
        fallback = ("web:for-you",)
    flash_service(
        request,
        services.matching_retry,
        _("Matching again. The results appear here as soon as they are found."),
        actor=actor,
        document=document,
    )
    return back(request, *fallback)
