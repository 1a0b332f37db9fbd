"""Cohort boards: operators curate an accelerator's intake; its firm reads along."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backend.accounts.models import Membership, Organization
from backend.matches.selectors import search_startups
from backend.programs import services
from backend.programs.models import CohortMembership
from backend.programs.selectors import accelerators_visible_to, cohort_memberships_visible_to
from backend.startups.models import StartupProfile
from backend.startups.selectors import profiles_visible_to
from backend.startups.visibility import profile_view
from backend.web import selectors
from backend.web.forms import (
    CohortAddForm,
    CohortForm,
    CohortMoveForm,
    CohortNoteForm,
    StartupSearchForm,
)
from backend.web.views.base import actor_of, flash_service, found, page, run_service

OPERATOR = Organization.Kind.OPERATOR
S = CohortMembership.Status

# What each move's button says; which moves a column offers is the service's table.
MOVE_LABELS = {
    S.INVITED: gettext_lazy("Invite"),
    S.WITHDRAWN: gettext_lazy("Withdraw"),
    S.SHORTLISTED: gettext_lazy("Back to shortlist"),
}
MOVE_LABELS_FROM = {
    (S.SHORTLISTED, S.WITHDRAWN): gettext_lazy("Remove"),
    (S.DECLINED, S.INVITED): gettext_lazy("Invite again"),
}


def operator_moves(status: str) -> list[tuple[str, str]]:
    """The buttons of a membership in `status`: (target status, label), in the board's order."""
    allowed = services.OPERATOR_MOVES.get(status, set())
    return [
        (target, MOVE_LABELS_FROM.get((status, target), MOVE_LABELS[target]))
        for target in S.values
        if target in allowed
    ]


@page(OPERATOR)
def cohort_create(request, pk: int):
    actor = actor_of(request)
    accelerator = accelerators_visible_to(actor).filter(pk=pk).first()
    if accelerator is None:
        raise Http404("Accelerator not found.")
    form = CohortForm(request.POST or None, initial={"capacity": 10})
    if request.method == "POST" and form.is_valid():
        cohort = run_service(
            form,
            services.cohort_create,
            actor=actor,
            data={**form.cleaned_data, "accelerator": accelerator},
        )
        if cohort is not None:
            messages.success(request, _("Cohort created. Add startups from the matches."))
            return redirect("web:cohort-board", pk=cohort.pk)
    return render(
        request, "web/operator/cohort_form.html", {"form": form, "accelerator": accelerator}
    )


@page(OPERATOR, Organization.Kind.ENTERPRISE)
def board(request, pk: int):
    actor = actor_of(request)
    cohort = found(selectors.cohort_for_actor, actor, pk)
    columns = selectors.cohort_columns(actor, cohort)
    can_curate = actor.is_operator
    search_form = StartupSearchForm(request.GET or None)
    results = []
    in_cohort = set(
        cohort_memberships_visible_to(actor, cohort).values_list("startup_id", flat=True)
    )
    if can_curate and search_form.is_valid() and search_form.cleaned_data["q"]:
        results = [
            (profile, hit.score, profile.organization_id in in_cohort)
            for profile, hit in search_startups(
                actor,
                search_form.cleaned_data["q"],
                allowed=StartupProfile.objects.all(),
                k=12,
            )
        ]
    withdrawn = (
        list(cohort_memberships_visible_to(actor, cohort).filter(status=S.WITHDRAWN))
        if can_curate
        else []
    )
    board = [m for members in columns.values() for m in members]
    for membership in [*withdrawn, *board]:
        membership.moves = operator_moves(membership.status) if can_curate else []
    for membership in board:
        membership.profile_view = _profile_view(actor, membership)
    return render(
        request,
        "web/operator/cohort_board.html",
        {
            "cohort": cohort,
            "columns": [
                (status, CohortMembership.Status(status).label, members)
                for status, members in columns.items()
            ],
            "accepted": len(columns[S.ACCEPTED]),
            "invited": len(columns[S.INVITED]),
            "places_left": max(cohort.capacity - len(columns[S.ACCEPTED]), 0),
            "can_curate": can_curate,
            "candidates": selectors.cohort_candidates(actor, cohort) if can_curate else [],
            "search_form": search_form,
            "results": results,
            "withdrawn": withdrawn,
            "add_form": CohortAddForm(),
        },
    )


@require_POST
@page(OPERATOR)
def member_add(request, pk: int):
    actor = actor_of(request)
    cohort = found(selectors.cohort_for_actor, actor, pk)
    form = CohortAddForm(request.POST)
    profile = None
    if form.is_valid():
        profile = (
            profiles_visible_to(actor)
            .filter(organization_id=form.cleaned_data["startup"])
            .select_related("organization")
            .first()
        )
    if profile is None:
        messages.error(request, _("Choose a startup from the matches or the search."))
        return redirect("web:cohort-board", pk=pk)
    flash_service(
        request,
        services.cohort_member_add,
        _("%(name)s added to the cohort.") % {"name": profile.name},
        actor=actor,
        cohort=cohort,
        startup=profile.organization,
        status=form.cleaned_data["status"],
    )
    return redirect("web:cohort-board", pk=pk)


def _membership_on_board(actor, pk: int, member_pk: int) -> CohortMembership:
    cohort = found(selectors.cohort_for_actor, actor, pk)
    membership = cohort_memberships_visible_to(actor, cohort).filter(pk=member_pk).first()
    if membership is None:
        raise Http404("Cohort membership not found.")
    return membership


@require_POST
@page(OPERATOR)
def member_note(request, pk: int, member_pk: int):
    """The operators' working note on a place: written and read on the board, by operators."""
    actor = actor_of(request)
    membership = _membership_on_board(actor, pk, member_pk)
    form = CohortNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A note holds at most 2,000 characters."))
        return redirect("web:cohort-board", pk=pk)
    flash_service(
        request,
        services.cohort_member_update,
        _("Note saved."),
        actor=actor,
        membership=membership,
        note=form.cleaned_data["note"],
    )
    return redirect("web:cohort-board", pk=pk)


@require_POST
@page(OPERATOR)
def member_move(request, pk: int, member_pk: int):
    actor = actor_of(request)
    membership = _membership_on_board(actor, pk, member_pk)
    form = CohortMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where to move the startup."))
        return redirect("web:cohort-board", pk=pk)
    status = form.cleaned_data["status"]
    flash_service(
        request,
        services.cohort_member_update,
        _("%(name)s is now %(status)s.")
        % {"name": membership.startup.name, "status": CohortMembership.Status(status).label},
        actor=actor,
        membership=membership,
        status=status,
    )
    return redirect("web:cohort-board", pk=pk)


# The export in the reader's language, with labels rather than codes and times in Shanghai time
# to the minute. A contact person only where the reader may reach the startup: operators for any
# place, the firm once the startup accepted its place. The operators' note only for operators.
CSV_COLUMNS = [
    gettext_lazy("Startup"),
    gettext_lazy("Status"),
    gettext_lazy("Stage"),
    "TRL",
    gettext_lazy("City"),
    gettext_lazy("Region"),
    gettext_lazy("Website"),
    gettext_lazy("Contact person"),
    gettext_lazy("Contact e-mail"),
    gettext_lazy("Decided on"),
]
OPERATOR_CSV_COLUMNS = [*CSV_COLUMNS, gettext_lazy("Operators' note")]


def _spreadsheet_safe(value) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _contact(actor, membership: CohortMembership):
    if not (actor.is_operator or membership.status == CohortMembership.Status.ACCEPTED):
        return None
    people = list(membership.startup.memberships.all())  # prefetched, oldest first
    owners = [m for m in people if m.role == Membership.Role.OWNER]
    return (owners or people or [None])[0]


def _profile_view(actor, membership: CohortMembership):
    """What the actor may read of the place's profile: a withdrawn one reads blank."""
    return profile_view(actor, getattr(membership.startup, "startup_profile", None))


def _csv_row(actor, membership: CohortMembership) -> list[str]:
    profile = _profile_view(actor, membership)
    contact = _contact(actor, membership)
    decided = timezone.localtime(membership.decided_at) if membership.decided_at else None
    values = [
        membership.startup.name,
        membership.get_status_display(),
        profile.get_stage_display() if profile else "",
        (profile.trl or "") if profile else "",
        profile.city if profile else "",
        profile.region if profile else "",
        profile.website if profile else "",
        contact.user.full_name if contact else "",
        contact.user.email if contact else "",
        decided.strftime("%Y-%m-%d %H:%M") if decided else "",
    ]
    if actor.is_operator:
        values.append(membership.note)
    return [_spreadsheet_safe(value) for value in values]


@page(OPERATOR, Organization.Kind.ENTERPRISE)
def export_csv(request, pk: int):
    actor = actor_of(request)
    cohort = found(selectors.cohort_for_actor, actor, pk)
    memberships = (
        cohort_memberships_visible_to(actor, cohort)
        .select_related("startup__startup_profile")
        .prefetch_related(
            Prefetch(
                "startup__memberships",
                queryset=Membership.objects.select_related("user").order_by("created_at", "id"),
            )
        )
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-{stamp}.csv"'
    response.write("\ufeff")  # a byte-order mark, so spreadsheet programs read Chinese names right
    writer = csv.writer(response)
    writer.writerow(
        str(column) for column in (OPERATOR_CSV_COLUMNS if actor.is_operator else CSV_COLUMNS)
    )
    writer.writerows(_csv_row(actor, membership) for membership in memberships)
    return response
