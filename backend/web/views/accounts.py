"""Signing in and out, signing up, and the home page that sends each kind of user to its own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from backend.accounts.models import Organization
from backend.accounts.services import user_create_with_organization
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


class LoginView(auth_views.LoginView):
    template_name = "web/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = "web:home"


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"


def signup(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run_service(form, user_create_with_organization, **form.cleaned_data)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your organisation is ready."))
            is_startup = form.cleaned_data["kind"] == Organization.Kind.STARTUP
            return redirect("web:profile" if is_startup else "web:home")
    return render(request, "web/accounts/signup.html", {"form": form})
