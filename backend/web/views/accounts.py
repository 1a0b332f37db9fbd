"""Signing in and out, signing up, and the home page that sends each kind of user to its own."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from backend.accounts.models import Organization
from backend.accounts.services import user_create_with_organization
from backend.accounts.throttles import (
    is_locked_out,
    lockout_message,
    lockout_seconds,
    rate_limited_message,
    rate_wait,
)
from backend.matches.models import Match
from backend.matches.selectors import matches_visible_to
from backend.programs.models import CohortMembership
from backend.startups.selectors import profile_of
from backend.web import selectors
from backend.web.forms import LoginForm, SignupForm
from backend.web.views.base import actor_of, run_service


def home(request):
    if not request.user.is_authenticated:
        return redirect("web:login")
    actor = actor_of(request)
    if actor.is_operator:
        return redirect("web:operator")
    if actor.is_enterprise:
        programmes = selectors.firm_programmes(actor)
        challenges = [c for row in programmes for c in row.challenges]
        return render(
            request,
            "web/firm/dashboard.html",
            {
                "programmes": programmes,
                "activity": selectors.recent_activity(actor),
                "stats": {
                    "open": sum(c.status == "open" for c in challenges),
                    "matches": sum(c.match_count for c in challenges),
                    "interested": sum(c.interested_count for c in challenges),
                    "connected": sum(c.connected_count for c in challenges),
                },
            },
        )
    if actor.is_startup:
        matches = matches_visible_to(actor).exclude(status=Match.Status.DECLINED)
        invitations = [
            m
            for m in selectors.invitations_for(actor)
            if m.status == CohortMembership.Status.INVITED
        ]
        return render(
            request,
            "web/startup/dashboard.html",
            {
                "profile": profile_of(actor),
                "matches": matches.order_by("-score", "id")[:5],
                "match_count": matches.count(),
                "connected_count": matches.filter(status=Match.Status.CONNECTED).count(),
                "invitations": invitations,
                "activity": selectors.recent_activity(actor),
            },
        )
    return render(request, "web/no_organisation.html")


def refused(request, template: str, context: dict, message: str, seconds: float):
    """The page again, with why it was refused, answering 429 with Retry-After."""
    response = render(request, template, {**context, "refusal": message}, status=429)
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


class LoginView(auth_views.LoginView):
    """Sign-ins share the API token's rate per address; axes locks an account out per address."""

    template_name = "web/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = "web:home"

    def post(self, request, *args, **kwargs):
        wait = rate_wait(request, "login")
        if wait is not None:
            # Unbound: a bound form would authenticate again when its errors are shown.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username")}
            )
            context = self.get_context_data(form=form)
            return refused(request, self.template_name, context, rate_limited_message(wait), wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if is_locked_out(self.request):
            seconds = lockout_seconds(self.request)
            context = self.get_context_data(form=form)
            return refused(
                self.request, self.template_name, context, lockout_message(seconds), seconds
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


def signup(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    if request.method == "POST" and (wait := rate_wait(request, "signup")) is not None:
        typed = {key: value for key, value in request.POST.items() if key != "password"}
        form = SignupForm(initial=typed)
        message = rate_limited_message(wait)
        return refused(request, "web/accounts/signup.html", {"form": form}, message, wait)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run_service(form, user_create_with_organization, **form.cleaned_data)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your organisation is ready."))
            is_startup = form.cleaned_data["kind"] == Organization.Kind.STARTUP
            return redirect("web:profile" if is_startup else "web:home")
    return render(request, "web/accounts/signup.html", {"form": form})
