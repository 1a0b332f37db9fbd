"""A firm's programmes and challenges: create, edit, publish, close; and the challenge page."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.models import Organization
from backend.matches.selectors import as_seen_by, firm_response_stats, matches_visible_to
from backend.programs import services
from backend.programs.models import Challenge
from backend.programs.selectors import (
    accelerators_editable_by,
    challenge_get_for_actor,
    challenges_editable_by,
    challenges_visible_to,
)
from backend.web import selectors
from backend.web.forms import (
    AcceleratorEditForm,
    AcceleratorForm,
    ApplyForm,
    ChallengeForm,
    DeclineForm,
)
from backend.web.views.base import actor_of, flash_service, found, page, run_service

FIRM = Organization.Kind.ENTERPRISE


def _published() -> str:
    return _(
        "Published. The platform is finding the startups that fit it; they appear on its "
        "matches page as they are found."
    )


@page(FIRM)
def accelerator_create(request):
    actor = actor_of(request)
    form = AcceleratorForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(form, services.accelerator_create, actor=actor, data=form.cleaned_data)
    ):
        messages.success(request, _("Accelerator created. Post its first challenge."))
        return redirect("web:challenge-create")
    return render(request, "web/firm/accelerator_form.html", {"form": form})


@page(FIRM)
def accelerator_edit(request, pk: int):
    actor = actor_of(request)
    accelerator = found(selectors.accelerator_for_editing, actor, pk)
    # As for challenges: the form validates a copy (validation writes the posted values onto
    # its instance), so the heading keeps the saved name while errors show.
    form = AcceleratorEditForm(request.POST or None, instance=copy.copy(accelerator))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.accelerator_update,
            actor=actor,
            accelerator=accelerator,
            data=form.cleaned_data,
        )
    ):
        messages.success(request, _("Changes saved."))
        return redirect("web:home")
    return render(
        request, "web/firm/accelerator_form.html", {"form": form, "accelerator": accelerator}
    )


@page(FIRM)
def challenge_create(request):
    actor = actor_of(request)
    accelerators = accelerators_editable_by(actor)
    first = accelerators.first()
    if first is None:
        messages.info(request, _("Challenges belong to an accelerator: create yours first."))
        return redirect("web:accelerator-create")
    initial = {"accelerator": request.GET.get("accelerator") or first.pk}
    form = ChallengeForm(request.POST or None, accelerators=accelerators, initial=initial)
    if request.method == "POST" and form.is_valid():
        challenge = run_service(
            form, services.challenge_create, actor=actor, data=form.service_data()
        )
        if challenge is not None:
            if request.POST.get("publish"):
                return _move(request, challenge.pk, services.challenge_publish, _published())
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect("web:challenge-detail", pk=challenge.pk)
    return render(request, "web/firm/challenge_form.html", {"form": form, "challenge": None})


@page(FIRM)
def challenge_edit(request, pk: int):
    actor = actor_of(request)
    challenge = found(selectors.challenge_for_editing, actor, pk)
    # The form validates a copy (validation writes the posted values onto its instance), so
    # the page keeps the saved title while errors show.
    form = ChallengeForm(
        request.POST or None,
        instance=copy.copy(challenge),
        accelerators=accelerators_editable_by(actor),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            services.challenge_update,
            actor=actor,
            challenge=challenge,
            data=form.service_data(),
        )
    ):
        messages.success(request, _("Changes saved."))
        return redirect("web:challenge-detail", pk=challenge.pk)
    return render(request, "web/firm/challenge_form.html", {"form": form, "challenge": challenge})


@page()
def challenge_detail(request, pk: int):
    return challenge_page(request, pk)


def challenge_page(request, pk: int, apply_form: ApplyForm | None = None):
    """The challenge as the actor may see it; a startup also sees its match, if it has one, or
    else the form to apply (`apply_form`: one sent back with its errors)."""
    actor = actor_of(request)
    challenge = found(challenge_get_for_actor, actor, pk)
    owned = challenges_editable_by(actor).filter(pk=pk).exists()
    match = None
    if actor.is_startup:
        match = next(
            iter(
                as_seen_by(
                    actor,
                    matches_visible_to(actor)
                    .filter(challenge=challenge)
                    .prefetch_related("attachments"),
                )
            ),
            None,
        )
    counts = None
    if owned or actor.is_operator:
        counts = selectors.with_match_counts(challenges_visible_to(actor)).get(pk=challenge.pk)
    return render(
        request,
        "web/challenge_detail.html",
        {
            "challenge": challenge,
            "owned": owned,
            "match": match,
            "counts": counts,
            "decline_form": DeclineForm(),
            "apply_form": apply_form or ApplyForm(),
            "can_apply": actor.is_startup
            and match is None
            and challenge.status == Challenge.Status.OPEN,
            "response": firm_response_stats(challenge.accelerator.enterprise_id),
        },
    )


def _move(request, pk: int, service, done: str):
    actor = actor_of(request)
    challenge = found(selectors.challenge_for_editing, actor, pk)
    flash_service(request, service, done, actor=actor, challenge=challenge)
    return redirect("web:challenge-detail", pk=pk)


@require_POST
@page(FIRM)
def challenge_publish(request, pk: int):
    return _move(request, pk, services.challenge_publish, _published())


@require_POST
@page(FIRM)
def challenge_close(request, pk: int):
    return _move(request, pk, services.challenge_close, _("Closed. It no longer takes matches."))
