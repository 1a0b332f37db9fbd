"""A startup's pages: its profile, the challenges proposed for it, search, cohort invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.models import Organization
from backend.common.errors import ApplicationError
from backend.matches import services as match_services
from backend.matches.selectors import as_seen_by, matches_visible_to, search_challenges
from backend.programs import services as program_services
from backend.programs.api import ChallengeFilter
from backend.programs.models import Challenge, CohortMembership
from backend.programs.selectors import challenges_visible_to
from backend.startups.models import StartupProfile
from backend.startups.selectors import credentials_of, profile_of
from backend.startups.services import profile_save
from backend.web import selectors
from backend.web.forms import (
    ApplyForm,
    ChallengeSearchForm,
    CohortMoveForm,
    DeclineForm,
    ProfileForm,
)
from backend.web.registry_forms import CredentialForm
from backend.web.views.base import (
    actor_of,
    back,
    error_text,
    flash_service,
    found,
    page,
    run_service,
)
from backend.web.views.firm import challenge_page
from backend.web.views.matches import TABS, tab_counts, tab_of

STARTUP = Organization.Kind.STARTUP


@page(STARTUP)
def profile_edit(request):
    actor = actor_of(request)
    profile = profile_of(actor)
    instance = profile or StartupProfile(
        organization=actor.organization, name=actor.organization.name
    )
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        profile = run_service(form, profile_save, actor=actor, data=form.service_data())
        if profile is not None:
            if profile.published:
                messages.success(
                    request,
                    _(
                        "Profile saved. The platform is finding the challenges that fit it; they "
                        "appear under Challenges for you as they are found."
                    ),
                )
            else:
                messages.success(request, _("Profile saved as a draft. Publish it to be matched."))
            return redirect("web:profile")
    return render(
        request,
        "web/startup/profile_form.html",
        {
            "form": form,
            "profile": profile,
            "preview": profile or instance,
            "credentials": credentials_of(actor),
            "credential_form": CredentialForm(),
        },
    )


@page(STARTUP)
def for_you(request):
    actor = actor_of(request)
    matches = matches_visible_to(actor)
    tab = tab_of(request)
    return render(
        request,
        "web/startup/for_you.html",
        {
            "profile": profile_of(actor),
            # Connected cards link their conversation: loaded with the list, not card by card.
            "matches": as_seen_by(
                actor,
                matches.filter(status__in=TABS[tab])
                .select_related("conversation")
                .prefetch_related("attachments")
                # Where the startup stands among each challenge's candidates, best first: the
                # number each card shows. Scores of different challenges are not on one scale.
                .order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "id"),
            ),
            "tab": tab,
            "counts": tab_counts(matches),
            "decline_form": DeclineForm(),
            "viewer": "startup",
        },
    )


@require_POST
@page(STARTUP)
def challenge_apply(request, pk: int):
    """Apply to a challenge from its page, with a pitch and PDFs: all of it or, when a
    document is refused, none of it (the page keeps the pitch to send again)."""
    actor = actor_of(request)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                match, _created = match_services.match_apply(
                    actor=actor, challenge_id=pk, pitch=form.cleaned_data["pitch"]
                )
                for upload in request.FILES.getlist("documents"):
                    match_services.attachment_add(actor=actor, match=match, upload=upload)
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404(str(exc)) from exc
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                _(
                    "Applied. The firm has your pitch and profile; follow its answer on this "
                    "page and under Challenges for you."
                ),
            )
            return redirect("web:challenge-detail", pk=pk)
    return challenge_page(request, pk, apply_form=form)


@page()
def challenge_search(request):
    """Search open challenges by meaning and words, or list them newest first, with filters."""
    actor = actor_of(request)
    form = ChallengeSearchForm(request.GET or None, for_startup=actor.is_startup)
    open_challenges = challenges_visible_to(actor).filter(status=Challenge.Status.OPEN)
    query, challenges, page_obj, params = "", [], None, {}
    if form.is_bound and form.is_valid():
        params = {
            name: str(form.cleaned_data[name])
            for name in ("tags", "trl", "language")
            if form.cleaned_data[name] not in (None, "")
        }
        open_challenges = ChallengeFilter(params, queryset=open_challenges).qs
        query = form.cleaned_data["q"]
    if query:
        # Best first, and only what fits: a query that nothing fits lists nothing (the page then
        # says what to try). The engine's scores only order the list; they mean nothing to a
        # reader.
        hits = search_challenges(actor, query, allowed=open_challenges, k=30)
        challenges = [challenge for challenge, _hit in hits]
    else:
        page_obj = Paginator(open_challenges.order_by("-published_at", "-id"), 12).get_page(
            request.GET.get("page")
        )
        challenges = list(page_obj)
    matched = {}
    if actor.is_startup:
        matched = {
            m.challenge_id: m for m in matches_visible_to(actor).filter(challenge__in=challenges)
        }
    rows = [(challenge, matched.get(challenge.pk)) for challenge in challenges]
    return render(
        request,
        "web/startup/challenge_search.html",
        {
            "form": form,
            "rows": rows,
            "query": query,
            "page_obj": page_obj,
            # An empty search offers to drop the filters.
            "filtered": bool(params),
        },
    )


@page(STARTUP)
def invitations(request):
    actor = actor_of(request)
    return render(
        request,
        "web/startup/invitations.html",
        {"memberships": selectors.invitations_for(actor)},
    )


@require_POST
@page(STARTUP)
def invitation_answer(request, pk: int):
    actor = actor_of(request)
    membership = found(selectors.invitation_for_actor, actor, pk)
    form = CohortMoveForm(request.POST)
    if not form.is_valid() or form.cleaned_data["status"] not in (
        CohortMembership.Status.ACCEPTED,
        CohortMembership.Status.DECLINED,
    ):
        messages.error(request, _("Choose to accept or decline."))
        return redirect("web:invitations")
    status = form.cleaned_data["status"]
    flash_service(
        request,
        program_services.cohort_member_update,
        _("Welcome to %(cohort)s!") % {"cohort": membership.cohort.name}
        if status == CohortMembership.Status.ACCEPTED
        else _("You declined the invitation."),
        actor=actor,
        membership=membership,
        status=status,
    )
    return back(request, "web:invitations")
