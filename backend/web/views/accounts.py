"""Signing in and out, signing up and verifying the address, setting a new password through a
mailed link, and the home page that sends each kind of user to its own."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import i18n

from backend.accounts.services import (
    password_reset_request,
    user_check_verification_link,
    user_set_language,
    user_signup,
    user_verify_email,
)
from backend.accounts.throttles import (
    is_locked_out,
    lockout_message,
    lockout_seconds,
    rate_limited_message,
    rate_wait,
)
from backend.common.errors import ApplicationError
from backend.matches.models import Match
from backend.matches.selectors import matches_visible_to
from backend.notifications.selectors import notification_preferences_for
from backend.notifications.services import notification_preferences_set
from backend.programs.models import CohortMembership
from backend.startups.selectors import profile_of
from backend.web import selectors
from backend.web.forms import LoginForm, NewPasswordForm, NotificationSettingsForm, SignupForm
from backend.web.views.base import actor_of, error_text, run_service


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
                "matches": matches.order_by(F("score").desc(nulls_last=True), "id")[:5],
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

    def form_valid(self, form):
        user_set_language(user=form.get_user(), language=get_language())
        return super().form_valid(form)


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
        run_service(form, user_signup, **form.cleaned_data, language=get_language())
        if not form.errors:
            return redirect("web:signup-sent")
    return render(request, "web/accounts/signup.html", {"form": form})


def signup_sent(request):
    return render(request, "web/accounts/signup_sent.html")


def verify_email(request, uidb64: str, token: str):
    """A mailed verification link. Opening it only asks to confirm (mail scanners open links
    too); confirming verifies the address, spends the link and signs the person in."""
    try:
        if request.method != "POST":
            user_check_verification_link(uid=uidb64, token=token)
            return render(request, "web/accounts/verify_email.html", {"valid": True})
        user = user_verify_email(uid=uidb64, token=token)
    except ApplicationError as exc:
        context = {"valid": False, "problem": error_text(exc)}
        return render(request, "web/accounts/verify_email.html", context, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your address is verified. Welcome! Your organisation is ready."))
    return redirect("web:profile" if actor_of(request).is_startup else "web:home")


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an address and mails a link, through the outbox, to its account if there is
    one; the same page follows either way. Counted per client address."""

    template_name = "web/accounts/password_reset_form.html"
    success_url = reverse_lazy("web:password-reset-done")

    def post(self, request, *args, **kwargs):
        wait = rate_wait(request, "password_reset")
        if wait is not None:
            form = self.get_form_class()(initial={"email": request.POST.get("email")})
            context = self.get_context_data(form=form)
            return refused(request, self.template_name, context, rate_limited_message(wait), wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        password_reset_request(email=form.cleaned_data["email"])
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("web:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/accounts/password_reset_complete.html"


def set_language(request):
    """Django's language switch, which also remembers a signed-in user's choice for their mail."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


@login_required
def notification_settings(request):
    """How each group of notifications comes by mail (the site shows them all either way)."""
    form = NotificationSettingsForm(
        request.POST or None, initial=notification_preferences_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            notification_preferences_set,
            user=request.user,
            deliveries=form.cleaned_data,
        )
        if done is not None:
            messages.success(request, _("Your mail settings are saved."))
            return redirect("web:notification-settings")
    return render(request, "web/accounts/notification_settings.html", {"form": form})
