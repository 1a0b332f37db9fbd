"""A firm's team review of a match (scores, reviewers, internal notes) and its challenge's
rubric. Only the firm's members reach these pages, operators to read; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.models import Organization
from backend.common.errors import ApplicationError
from backend.matches.selectors import as_seen_by
from backend.reviews import selectors, services
from backend.web.review_forms import (
    AssignForm,
    NoteForm,
    ScoreForm,
    filled_rows,
    rubric_formset,
)
from backend.web.views.base import actor_of, error_text, found, page, run_service

FIRM = Organization.Kind.ENTERPRISE


def _review_page(request, match, **forms):
    """The match's review page, with any bound forms (and their errors) in place of blank ones."""
    actor = actor_of(request)
    review = selectors.team_review(actor, match)
    mine = {s.criterion_id: s.score for s in review.mine.scores.all()} if review.mine else {}
    assigned = {a.reviewer_id for a in review.reviewers}
    members = selectors.firm_members(match).exclude(pk__in=assigned)
    context = {
        "match": as_seen_by(actor, [match])[0],
        "review": review,
        "can_write": actor.is_enterprise,
        "score_form": forms.get("score_form")
        or ScoreForm(criteria=review.criteria, initial_scores=mine),
        "note_form": forms.get("note_form") or NoteForm(),
        "assign_form": forms.get("assign_form") or AssignForm(members=members),
        "viewer": "firm",
    }
    status = 400 if forms else 200
    return render(request, "web/firm/match_review.html", context, status=status)


def _match(request, pk: int):
    return found(selectors.match_get_for_review, actor_of(request), pk)


def _done(request, match, message: str):
    messages.success(request, message)
    return redirect("web:match-review", match.pk)


@page(FIRM, Organization.Kind.OPERATOR)
def match_review(request, pk: int):
    return _review_page(request, _match(request, pk))


@require_POST
@page(FIRM)
def review_score(request, pk: int):
    match = _match(request, pk)
    criteria = selectors.team_review(actor_of(request), match).criteria
    form = ScoreForm(request.POST, criteria=criteria, initial_scores={})
    if form.is_valid() and run_service(
        form, services.review_submit, actor=actor_of(request), match=match, scores=form.scores()
    ):
        return _done(request, match, _("Your scores are saved."))
    return _review_page(request, match, score_form=form)


@require_POST
@page(FIRM)
def review_note(request, pk: int):
    match = _match(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid() and run_service(
        form,
        services.note_add,
        actor=actor_of(request),
        match=match,
        text=form.cleaned_data["text"],
    ):
        return _done(request, match, _("Note added. Only your firm sees it."))
    return _review_page(request, match, note_form=form)


@require_POST
@page(FIRM)
def review_assign(request, pk: int):
    match = _match(request, pk)
    form = AssignForm(request.POST, members=selectors.firm_members(match))
    if form.is_valid() and run_service(
        form,
        services.reviewer_assign,
        actor=actor_of(request),
        match=match,
        reviewer=form.cleaned_data["reviewer"],
    ):
        return _done(request, match, _("Asked to review."))
    return _review_page(request, match, assign_form=form)


@require_POST
@page(FIRM)
def review_unassign(request, pk: int, user_id: int):
    match = _match(request, pk)
    reviewer = found(selectors.firm_member_get, match, user_id)
    services.reviewer_unassign(actor=actor_of(request), match=match, reviewer=reviewer)
    return _done(request, match, _("No longer asked to review."))


@page(FIRM)
def challenge_rubric(request, pk: int):
    actor = actor_of(request)
    challenge = found(selectors.challenge_get_for_rubric, actor, pk)
    rubric = selectors.rubric_of(challenge)
    locked = selectors.rubric_locked(challenge)
    formset = rubric_formset(list(rubric.criteria.all()) if rubric else [], request.POST or None)
    if request.method == "POST" and formset.is_valid():
        try:
            services.rubric_set(actor=actor, challenge=challenge, criteria=filled_rows(formset))
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Rubric saved. Your team can score its matches now."))
            return redirect("web:challenge-rubric", challenge.pk)
    return render(
        request,
        "web/firm/rubric_form.html",
        {"challenge": challenge, "formset": formset, "locked": locked},
    )
