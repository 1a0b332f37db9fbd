"""A connected match's pilots and outcomes on one page: propose a pilot, accept, decline or
withdraw it, hand its decision to another member of the firm, post updates, decide it; record an
outcome, attach its document and confirm the other party's. Either party's members write;
operators read and hand a decision on; everyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.chat.models import Conversation
from backend.matches.models import Match
from backend.pilots import selectors, services
from backend.pilots.models import Pilot
from backend.web.pilot_forms import (
    CloseForm,
    DecideForm,
    OutcomeForm,
    OwnerForm,
    ProposeForm,
    UpdateForm,
)
from backend.web.views.base import actor_of, flash_service, found, page, run_service


def _pilots_page(request, match: Match, *, bound_pilot: int | None = None, **bound):
    """The page, with a bound form (and its errors) in place of its blank one; `bound_pilot`
    says which pilot's update or decision form was sent."""
    actor = actor_of(request)
    side = selectors.side_of(actor, match)
    writes = side is not None and match.status == Match.Status.CONNECTED
    pilots = list(selectors.pilots_visible_to(actor).filter(match=match))
    members = selectors.firm_members(match)
    # Who hands a pilot's decision on: the firm's members, and operators.
    hands_on = side == Match.Side.ENTERPRISE or actor.is_operator
    today = timezone.localdate()
    for pilot in pilots:
        mine = pilot.pk == bound_pilot
        pilot.updates_list = list(selectors.pilot_updates(pilot))
        pilot.running = pilot.state == Pilot.State.RUNNING
        pilot.decision_due = pilot.running and pilot.ends_on <= today
        proposed = writes and pilot.state == Pilot.State.PROPOSED
        pilot.can_accept = proposed and side != pilot.proposed_side
        pilot.can_withdraw = proposed and side == pilot.proposed_side
        pilot.can_decide = writes and pilot.running and pilot.decision_owner_id == actor.user.pk
        pilot.update_form = (mine and bound.get("update_form")) or UpdateForm()
        pilot.decide_form = (mine and bound.get("decide_form")) or DecideForm()
        pilot.close_form = (mine and bound.get("close_form")) or CloseForm()
        pilot.can_reassign = hands_on and pilot.state in (Pilot.State.PROPOSED, Pilot.State.RUNNING)
        pilot.owner_form = (mine and bound.get("owner_form")) or OwnerForm(
            members=members, initial={"decision_owner": pilot.decision_owner_id}
        )
    outcomes = list(selectors.outcomes_visible_to(actor).filter(match=match))
    for outcome in outcomes:
        unconfirmed = side is not None and outcome.confirmed_at is None
        outcome.can_confirm = unconfirmed and side != outcome.recorded_side
        outcome.can_attach = unconfirmed and side == outcome.recorded_side
    context = {
        "match": match,
        "conversation": Conversation.objects.filter(match=match).first(),
        "writes": writes,
        "pilots": pilots,
        "outcomes": outcomes,
        "propose_form": bound.get("propose_form") or ProposeForm(members=members),
        "outcome_form": bound.get("outcome_form") or OutcomeForm(pilots=match.pilots.all()),
    }
    return render(request, "web/pilots/match.html", context, status=400 if bound else 200)


def _match(request, pk: int) -> Match:
    return found(selectors.match_get_for_party, actor_of(request), pk)


def _pilot(request, pk: int) -> Pilot:
    return found(selectors.pilot_get_for_actor, actor_of(request), pk)


def _back(match_id: int):
    return redirect("web:match-pilots", match_id)


@page()
def match_pilots(request, pk: int):
    return _pilots_page(request, _match(request, pk))


def _form_sent(request, page_of, form, form_name, service, done, *, bound_pilot=None, **target):
    """Run a sent form through its service (`target`: the match or pilot it acts on): back to
    the page of the match `page_of`, or that page with the form's errors."""
    if form.is_valid() and run_service(
        form, service, actor=actor_of(request), **target, **form.service_kwargs()
    ):
        messages.success(request, done)
        return _back(page_of.pk)
    return _pilots_page(request, page_of, bound_pilot=bound_pilot, **{form_name: form})


@require_POST
@page()
def pilot_propose(request, pk: int):
    match = _match(request, pk)
    form = ProposeForm(request.POST, members=selectors.firm_members(match))
    done = _("The pilot is proposed: the other party accepts it.")
    return _form_sent(
        request, match, form, "propose_form", services.pilot_propose, done, match=match
    )


@require_POST
@page()
def pilot_accept(request, pk: int):
    pilot = _pilot(request, pk)
    flash_service(
        request,
        services.pilot_accept,
        _("The pilot is accepted and running."),
        actor=actor_of(request),
        pilot=pilot,
    )
    return _back(pilot.match_id)


def _pilot_form_sent(request, pk: int, form_class, service, done: str, form_name: str):
    pilot = _pilot(request, pk)
    form = form_class(request.POST)
    return _form_sent(
        request, pilot.match, form, form_name, service, done, bound_pilot=pilot.pk, pilot=pilot
    )


def _close_sent(request, pk: int, service, done: str):
    """Withdraw or decline: a reason too long comes back on its form; a refusal (the proposal
    has moved on meanwhile, and its form with it) is said in a flash message."""
    pilot = _pilot(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _pilots_page(request, pilot.match, bound_pilot=pilot.pk, close_form=form)
    flash_service(
        request, service, done, actor=actor_of(request), pilot=pilot, **form.service_kwargs()
    )
    return _back(pilot.match_id)


@require_POST
@page()
def pilot_withdraw(request, pk: int):
    return _close_sent(request, pk, services.pilot_withdraw, _("The proposal is withdrawn."))


@require_POST
@page()
def pilot_decline(request, pk: int):
    return _close_sent(request, pk, services.pilot_decline, _("The proposal is declined."))


@require_POST
@page()
def pilot_decision_owner(request, pk: int):
    pilot = _pilot(request, pk)
    form = OwnerForm(request.POST, members=selectors.firm_members(pilot.match))
    done = _("The decision owner is changed.")
    return _form_sent(
        request,
        pilot.match,
        form,
        "owner_form",
        services.pilot_reassign_owner,
        done,
        bound_pilot=pilot.pk,
        pilot=pilot,
    )


@require_POST
@page()
def pilot_update(request, pk: int):
    return _pilot_form_sent(
        request,
        pk,
        UpdateForm,
        services.pilot_post_update,
        _("Your update is posted."),
        "update_form",
    )


@require_POST
@page()
def pilot_decide(request, pk: int):
    return _pilot_form_sent(
        request,
        pk,
        DecideForm,
        services.pilot_decide,
        _("The decision is recorded."),
        "decide_form",
    )


@require_POST
@page()
def outcome_record(request, pk: int):
    match = _match(request, pk)
    form = OutcomeForm(request.POST, pilots=match.pilots.all())
    done = _("The outcome is recorded: the other party confirms it.")
    return _form_sent(
        request, match, form, "outcome_form", services.outcome_record, done, match=match
    )


@require_POST
@page()
def outcome_confirm(request, pk: int):
    outcome = found(selectors.outcome_get_for_actor, actor_of(request), pk)
    flash_service(
        request,
        services.outcome_confirm,
        _("The outcome is confirmed."),
        actor=actor_of(request),
        outcome=outcome,
    )
    return _back(outcome.match_id)


@require_POST
@page()
def outcome_document(request, pk: int):
    """The recording party attaches the outcome's PDF (the contract, the order) from the page,
    through the service the API uses; a refusal is said in a flash message."""
    outcome = found(selectors.outcome_get_for_actor, actor_of(request), pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a PDF document to attach."))
    else:
        flash_service(
            request,
            services.outcome_attach_document,
            _("The document is attached."),
            actor=actor_of(request),
            outcome=outcome,
            upload=upload,
        )
    return _back(outcome.match_id)
