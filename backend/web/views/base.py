"""What every page view shares: who is asking, not-found as 404, service errors in the user's
language, and safe redirects back to where a form was posted from."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from backend.accounts.selectors import Actor, actor_for
from backend.common.errors import ApplicationError, NotFoundError

T = TypeVar("T")


def error_text(exc: ApplicationError) -> str:
    """The failure as a sentence in the active language: services raise translatable messages."""
    return str(exc.message)


def add_service_errors(form: forms.BaseForm, exc: Exception) -> None:
    """Put a service's field errors next to the form's fields (the rest above the form)."""
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        general = [] if fields else list(exc.messages)
    elif isinstance(exc, ApplicationError):
        fields = exc.fields
        general = [] if fields else [error_text(exc)]
    else:  # pragma: no cover - only the two error kinds above reach here
        raise exc
    for name, field_messages in fields.items():
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, str(message))
    for message in general:
        form.add_error(None, message)


def run_service(form: forms.BaseForm, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Call a service for a valid form: its result, or None with the service's errors put on
    the form."""
    try:
        return service(**kwargs)
    except (ApplicationError, DjangoValidationError) as exc:
        add_service_errors(form, exc)
        return None


def flash_service(request: HttpRequest, service: Callable, done: str, **kwargs: Any) -> bool:
    """Run a button's service and say how it went in a flash message; True when it was done."""
    try:
        service(**kwargs)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, done)
    return True


def actor_of(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def found(fetch: Callable[..., T], *args: Any) -> T:
    """Call a fetch-and-authorise selector; what the user may not see is simply not found."""
    try:
        return fetch(*args)
    except NotFoundError as exc:
        raise Http404(str(exc)) from exc


def page(*kinds: str) -> Callable:
    """A signed-in page for organisations of the given kinds (any kind when none are named).

    Another kind of organisation gets a 404: the page does not exist for it, and says no more.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            actor = actor_of(request)
            if actor.organization is None or (kinds and actor.kind not in kinds):
                raise Http404("No such page for your organisation.")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def back(request: HttpRequest, fallback: str, *args: Any) -> HttpResponseRedirect:
    """Redirect to the form's `next` (same site only), else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(resolve_url(fallback, *args))


def wants_json(request: HttpRequest) -> bool:
    """A request sent by the pages' own scripts (they ask for JSON)."""
    return "application/json" in request.headers.get("Accept", "")
