"""Brute-force limits on signing in and signing up.

Two rules, each shared by every process:

- **Per client address**, DRF's scoped throttles: the `login` and `signup` rates of
  `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, counted in Django's cache (Redis when configured).
  The API's token and signup views use them as throttle classes; the sign-in and sign-up pages
  call `rate_wait`, so a page and its API endpoint share one budget per address.
- **Per account and address**, django-axes: failed sign-ins are counted in the database; after
  `AXES_FAILURE_LIMIT` of them that account is refused from that address for `AXES_COOLOFF_TIME`,
  even with the right password. Another address (the owner's) is not locked out by an attacker.

The callables below are named in the settings (`AXES_*_CALLABLE`), so that axes identifies
clients exactly as the throttles do.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from axes.helpers import get_cool_off
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from backend.common.errors import error_body

LOCKED_OUT_CODE = "locked_out"
RATE_LIMITED_CODE = "rate_limited"


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR only, never a header the client could write itself.

    Behind a reverse proxy, uvicorn's `--proxy-headers` sets it from X-Forwarded-For when the
    proxy is among `FORWARDED_ALLOW_IPS`."""
    return request.META.get("REMOTE_ADDR") or None


def attempted_username(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in names, as axes counts it (AXES_USERNAME_CALLABLE).

    The web form calls authenticate() with `username`, the API with `email`, and axes hands over
    either those or its own `{"email": ...}`; all of them count against the same account."""
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    else:
        data = getattr(request, "data", None) or request.POST
        value = data.get("email") or data.get("username")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def lockout_seconds(request=None) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 0


def is_locked_out(request) -> bool:
    """Whether axes refused (or has just locked) the account named in this request's sign-in."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts for this account. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts for this account. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def rate_limited_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many attempts from your address. Try again in %(minutes)d minute.",
        "Too many attempts from your address. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def locked_out_error(request) -> exceptions.Throttled:
    """The API's 429 for a locked-out account: the error shape, with Retry-After."""
    return exceptions.Throttled(
        lockout_seconds(request),
        detail="Too many failed sign-ins for this account from this address.",
        code=LOCKED_OUT_CODE,
    )


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what AxesMiddleware answers for a locked-out request.

    The sign-in page and the API answer their own 429 (the page with the form and a message);
    that answer is kept. Anything else that authenticates (the admin's sign-in) gets this one."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    seconds = lockout_seconds(request)
    if request.path.startswith("/api/"):
        error = locked_out_error(request)
        response = JsonResponse(error_body(LOCKED_OUT_CODE, str(error.detail)), status=429)
    else:
        response = HttpResponse(
            lockout_message(seconds), status=429, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(seconds)
    return response


class AddressRateThrottle(ScopedRateThrottle):
    """A scoped rate per client address, whoever the request claims to be.

    The rate is read at each request (not once at import, as DRF does), so that a change of
    settings, a test's included, takes effect."""

    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(
                f"No rate for the throttle scope {self.scope!r} in DEFAULT_THROTTLE_RATES."
            )
        return rates[self.scope]

    def get_cache_key(self, request, view) -> str | None:
        address = client_address(request)
        if address is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}


class AddressThrottledView:
    """For an APIView: `throttle_scope` counted per address, refused in the API's error shape."""

    throttle_classes = [AddressRateThrottle]

    def throttled(self, request, wait):
        raise exceptions.Throttled(
            wait, detail="Too many requests from this address.", code=RATE_LIMITED_CODE
        )


def rate_wait(request, scope: str) -> float | None:
    """For a plain Django view: None when the request is within the scope's rate for its address
    (and counted), else the seconds to wait."""
    throttle = AddressRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):
        return None
    return max(1.0, throttle.wait() or 1.0)
