"""Who an organisation is, on record: its registration (credit code, district, founding), a
startup's growth-ladder credentials, an operator's roster import, and the invitation link with
which a roster's contact claims their startup."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.accounts.links import claim_tokens
from backend.accounts.models import Organization
from backend.accounts.services import (
    ORGANIZATION_EDITORS,
    organization_update,
    organization_verify,
)
from backend.startups import roster, selectors, services
from backend.web.forms import NewPasswordForm
from backend.web.registry_forms import CredentialForm, OrganizationRegistrationForm, RosterForm
from backend.web.views.base import actor_of, back, flash_service, page, run_service

STARTUP = Organization.Kind.STARTUP


@page()
def organization_settings(request):
    """The organisation's registration: every member reads it, an owner or admin changes it."""
    actor = actor_of(request)
    editable = actor.role in ORGANIZATION_EDITORS
    form = OrganizationRegistrationForm(
        request.POST if editable and request.method == "POST" else None,
        instance=actor.organization,
    )
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    elif request.method == "POST" and form.is_valid():
        saved = run_service(form, organization_update, actor=actor, data=form.service_data())
        if saved is not None:
            messages.success(request, _("Your organisation's registration is saved."))
            return redirect("web:organization-settings")
    return render(
        request,
        "web/accounts/organization_settings.html",
        {"form": form, "organization": actor.organization, "editable": editable},
    )


@require_POST
@page(STARTUP)
def credential_add(request):
    """Add a credential from the profile page; a refused one comes back there with its errors."""
    actor = actor_of(request)
    form = CredentialForm(request.POST)
    if form.is_valid():
        done = run_service(form, services.credential_add, actor=actor, data=form.service_data())
        if done is not None:
            messages.success(request, _("Credential added. An operator will verify it."))
            return redirect("web:profile")
    return render(
        request,
        "web/startup/credential_form.html",
        {"form": form, "credential": None},
        status=400,
    )


@page(STARTUP)
def credential_edit(request, pk: int):
    actor = actor_of(request)
    credential = selectors.credentials_of(actor).filter(pk=pk).first()
    if credential is None:
        raise Http404("No such credential.")
    form = CredentialForm(request.POST or None, instance=credential)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            services.credential_update,
            actor=actor,
            credential_id=pk,
            data=form.service_data(),
        )
        if done is not None:
            messages.success(request, _("Credential saved."))
            return redirect("web:profile")
    return render(
        request, "web/startup/credential_form.html", {"form": form, "credential": credential}
    )


@require_POST
@page(STARTUP)
def credential_remove(request, pk: int):
    flash_service(
        request,
        services.credential_remove,
        _("Credential removed."),
        actor=actor_of(request),
        credential_id=pk,
    )
    return redirect("web:profile")


@require_POST
@page(Organization.Kind.OPERATOR)
def organization_verify_button(request, pk: int):
    """An operator marks a startup's registration verified from its page."""
    flash_service(
        request,
        organization_verify,
        _("Registration verified."),
        actor=actor_of(request),
        organization_id=pk,
    )
    return back(request, "web:operator")


@require_POST
@page(Organization.Kind.OPERATOR)
def credential_verify_button(request, pk: int):
    flash_service(
        request,
        services.credential_verify,
        _("Credential verified."),
        actor=actor_of(request),
        credential_id=pk,
    )
    return back(request, "web:operator")


@page(Organization.Kind.OPERATOR)
def roster_import(request):
    """Upload a roster, then read what it did: the startups brought in, or every line to fix
    (and nothing imported)."""
    form = RosterForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = roster.roster_import(
            actor=actor_of(request),
            file_name=upload.name or "",
            content=upload.read(roster.MAX_BYTES + 1),
        )
        if not report.problems:
            form = RosterForm()
    return render(
        request,
        "web/operator/roster.html",
        {"form": form, "report": report, "unclaimed": selectors.unclaimed_startups()},
    )


@require_POST
@page(Organization.Kind.OPERATOR)
def roster_invitation_resend(request, pk: int):
    """Send an unclaimed startup's invitation again, from the roster page."""
    flash_service(
        request,
        roster.roster_invitation_resend,
        _("The invitation is sent again."),
        actor=actor_of(request),
        organization_id=pk,
    )
    return redirect("web:roster-import")


class ClaimView(auth_views.PasswordResetConfirmView):
    """A roster's invitation: the contact sets their password, owns the startup, and is signed
    in to complete its profile."""

    template_name = "web/accounts/claim.html"
    form_class = NewPasswordForm
    token_generator = claim_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("web:profile")
