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
from django.utils.translation import gettext_lazy as _

from backend.accounts.selectors import Actor, actor_for
from backend.common.errors import ApplicationError, NotFoundError

T = TypeVar("T")

# Services speak English to API clients; the pages show the same failures in the user's language.
# Known messages first (they are static in the services), then a sentence per error code.
KNOWN_MESSAGES = {
    "An account with this email already exists.": _("An account with this email already exists."),
    "This link is invalid or has already been used.": _(
        "This link is invalid or has already been used."
    ),
    "Already in this cohort.": _("Already in this cohort."),
    "This startup is already in the cohort.": _("This startup is already in the cohort."),
    "Challenges can be published only in an active accelerator.": _(
        "Challenges can be published only in an active accelerator."
    ),
    "Its deadline has passed: set a new one before publishing.": _(
        "Its deadline has passed: set a new one before publishing."
    ),
    "This match was declined.": _("This match was declined."),
    "A connected match cannot be declined.": _("A connected match cannot be declined."),
    "An archived challenge cannot be edited.": _("An archived challenge cannot be edited."),
    "Only a firm can run an accelerator.": _("Only a firm can run an accelerator."),
    "Only startups join cohorts.": _("Only startups join cohorts."),
    "Not a startup.": _("Not a startup."),
    "Only the firm and the startup of a match can answer it.": _(
        "Only the firm and the startup of a match can answer it."
    ),
    "A rubric has 2 to 6 criteria.": _("A rubric has 2 to 6 criteria."),
    "Each criterion needs its own name.": _("Each criterion needs its own name."),
    "Scores exist: the rubric can no longer change.": _(
        "Scores exist: the rubric can no longer change."
    ),
    "This challenge has no rubric to score against.": _(
        "This challenge has no rubric to score against."
    ),
    "Only a member of your firm can review its matches.": _(
        "Only a member of your firm can review its matches."
    ),
    "Not a member of your firm.": _("Not a member of your firm."),
    "This challenge no longer takes applications.": _(
        "This challenge no longer takes applications."
    ),
    "This challenge's deadline has passed.": _("This challenge's deadline has passed."),
    "Publish your profile first: the firm reads it with your pitch.": _(
        "Publish your profile first: the firm reads it with your pitch."
    ),
    "You have already answered this challenge.": _("You have already answered this challenge."),
    "A document may be at most 10 MB.": _("A document may be at most 10 MB."),
    "Only PDF documents are accepted.": _("Only PDF documents are accepted."),
    "An application holds at most 5 documents.": _("An application holds at most 5 documents."),
    "Say why, so the startup can act on it.": _("Say why, so the startup can act on it."),
    "A firm's decline needs a reason.": _("A firm's decline needs a reason."),
    "This match is not declined.": _("This match is not declined."),
    "Only the side that declined can take it back.": _(
        "Only the side that declined can take it back."
    ),
    "A decline can be taken back within 7 days only.": _(
        "A decline can be taken back within 7 days only."
    ),
    "Only an open match is shortlisted.": _("Only an open match is shortlisted."),
    "Only a connected match can have pilots and outcomes.": _(
        "Only a connected match can have pilots and outcomes."
    ),
    "Only the pilot's decision owner decides it.": _("Only the pilot's decision owner decides it."),
    "The other party answers this, not the one that wrote it.": _(
        "The other party answers this, not the one that wrote it."
    ),
    "The outcome is confirmed already.": _("The outcome is confirmed already."),
    "Give 1 to 3 criteria.": _("Give 1 to 3 criteria."),
    "Not a member of the firm.": _("Not a member of the firm."),
    "End after the start date.": _("End after the start date."),
    "Longer than a pilot may run.": _("Longer than a pilot may run."),
    "Not a date in the future.": _("Not a date in the future."),
    "Give the reason.": _("Give the reason."),
    "Give an end date after the current one.": _("Give an end date after the current one."),
    "Required when stopping.": _("Required when stopping."),
    "Not a pilot of this match.": _("Not a pilot of this match."),
    "Only the party that proposed the pilot withdraws it.": _(
        "Only the party that proposed the pilot withdraws it."
    ),
    "Only a proposed pilot can be withdrawn or declined.": _(
        "Only a proposed pilot can be withdrawn or declined."
    ),
    "Only the firm or an operator changes the decision owner.": _(
        "Only the firm or an operator changes the decision owner."
    ),
    "Only a pilot still to be decided changes its owner.": _(
        "Only a pilot still to be decided changes its owner."
    ),
    "The invitation went out less than an hour ago.": _(
        "The invitation went out less than an hour ago: send it again later."
    ),
    "This startup is claimed already.": _("This startup is claimed already."),
}
CODE_MESSAGES = {
    "cohort_full": _("The cohort is full: no place is left to accept another startup."),
    "invalid_transition": _("That step is not possible from the current state."),
    "permission_denied": _("You may not do this."),
    "not_found": _("Not found."),
    "duplicate": _("This already exists."),
    "email_taken": _("An account with this email already exists."),
    "invalid": _("Some fields are invalid."),
}


def error_text(exc: ApplicationError) -> str:
    """The failure as a sentence in the active language."""
    known = KNOWN_MESSAGES.get(exc.message)
    if known is not None:
        return str(known)
    return str(CODE_MESSAGES.get(exc.code, _("This could not be done.")))


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
            form.add_error(target, str(KNOWN_MESSAGES.get(message, message)))
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
