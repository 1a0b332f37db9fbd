"""Brute force on signing in and up: lockout per account and address, throttles per address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.assertions import assert_error_shape
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "10.0.0.66"
OWNER = "10.0.0.7"


@pytest.fixture(autouse=True)
def fresh_counts():
    """The throttles count in the cache, which outlives a test's database: start and end clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages link their static files; without `collectstatic` there is no hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def rates(settings):
    """Set the per-address rates of this test (the defaults are far above what a test does)."""

    def set_rates(**rates: str) -> None:
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**current, **rates},
        }

    return set_rates


def token(email: str, password: str, address: str = ATTACKER, **headers):
    return APIClient().post(
        "/api/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def web_sign_in(client: Client, email: str, password: str, address: str = ATTACKER):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def signup_body(n: int) -> dict:
    return {
        "email": f"founder{n}@example.test",
        "password": "a-long-test-password",
        "organization_name": f"Startup {n}",
        "kind": "startup",
    }


# -- lockout per account and address (django-axes) ---------------------------------------------


def test_the_eleventh_try_is_refused_even_with_the_right_password(world, settings):
    victim = world.enterprise_user.email
    assert settings.AXES_FAILURE_LIMIT == 10
    statuses = [token(victim, f"guess-{n}").status_code for n in range(10)]
    # Nine plain refusals, and the tenth failure locks the account out from this address.
    assert statuses == [400] * 9 + [429]
    refused = token(victim, PASSWORD)
    error = assert_error_shape(refused, 429, "locked_out")
    assert "token" not in refused.json()
    assert refused["Retry-After"] == str(15 * 60)
    assert "failed sign-ins" in error["message"]


def test_a_lockout_holds_the_account_at_that_address_only(world):
    victim = world.enterprise_user.email
    for n in range(10):
        token(victim, f"guess-{n}")
    assert token(victim, PASSWORD).status_code == 429
    # The owner, from their own address, is not locked out by the attacker...
    assert token(victim, PASSWORD, address=OWNER).status_code == 200
    # ...and other accounts are not locked out at the attacker's address.
    assert token(world.startup_user.email, PASSWORD).status_code == 200


def test_a_lockout_ends_after_the_cool_off(world):
    victim = world.enterprise_user.email
    for n in range(10):
        token(victim, f"guess-{n}")
    assert token(victim, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert token(victim, PASSWORD).status_code == 200


def test_failures_count_across_the_api_and_the_page_and_ignore_the_case(world):
    victim = world.enterprise_user.email
    for n in range(5):
        token(victim.upper(), f"guess-{n}")
        web_sign_in(Client(), victim, f"guess-page-{n}")
    assert token(victim, PASSWORD).status_code == 429


def test_the_sign_in_page_shows_the_lockout_and_answers_429(world):
    client = Client()
    victim = world.startup_user.email
    for n in range(9):
        assert web_sign_in(client, victim, f"guess-{n}").status_code == 200
    assert web_sign_in(client, victim, "the-tenth-wrong-one").status_code == 429
    response = web_sign_in(client, victim, PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts for this account. Try again in 15 minutes." in html
    assert "Please enter a correct" not in html
    assert 'name="username"' in html  # the form is still there, for later
    assert client.get("/").url == "/accounts/login/"  # not signed in


def test_a_successful_sign_in_starts_the_count_again(world, rates):
    rates(login="100/min")  # more sign-ins than the address may make; not what is tested here
    client = Client()
    victim = world.startup_user.email
    for round_ in range(2):
        for n in range(9):
            assert web_sign_in(client, victim, f"guess-{round_}-{n}").status_code == 200
        assert web_sign_in(client, victim, PASSWORD).status_code == 302
        client.post("/accounts/logout/")


def test_the_admin_sign_in_is_locked_out_too(world):
    client = Client()
    victim = world.operator_user.email
    for n in range(10):
        client.post("/admin/login/", {"username": victim, "password": f"guess-{n}"})
    response = client.post("/admin/login/", {"username": victim, "password": PASSWORD})
    assert response.status_code == 429 and response["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts" in response.content.decode()


# -- throttles per address (DRF, counted in the cache) ------------------------------------------


def test_api_sign_in_is_throttled_per_address_whatever_it_claims(world, rates):
    rates(login="3/min")
    email = world.enterprise_user.email
    assert [token(email, "wrong").status_code for _ in range(3)] == [400] * 3
    refused = token(email, PASSWORD)
    error = assert_error_shape(refused, 429, "rate_limited")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many requests from this address." in error["message"]
    # A forged X-Forwarded-For is not another address.
    assert token(email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert token(email, PASSWORD, address=OWNER).status_code == 200


def test_api_sign_up_is_throttled_per_address(db, rates):
    rates(signup="2/min")
    client = APIClient()
    for n in range(2):
        response = client.post("/api/auth/signup/", signup_body(n), format="json")
        assert response.status_code == 202
    refused = client.post("/api/auth/signup/", signup_body(2), format="json")
    assert_error_shape(refused, 429, "rate_limited")
    assert 0 < int(refused["Retry-After"]) <= 60
    elsewhere = client.post("/api/auth/signup/", signup_body(3), format="json", REMOTE_ADDR=OWNER)
    assert elsewhere.status_code == 202


def test_the_sign_up_page_shares_the_api_budget_and_says_why(db, rates):
    rates(signup="2/min")
    APIClient().post("/api/auth/signup/", signup_body(0), format="json")
    client = Client()
    body = {**signup_body(1), "full_name": "Li Wei"}
    assert client.post("/accounts/signup/", body).status_code == 302
    response = client.post("/accounts/signup/", {**signup_body(2), "full_name": "Wang Fang"})
    html = response.content.decode()
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert "Too many attempts from your address. Try again in 1 minute." in html
    assert "Wang Fang" in html and "a-long-test-password" not in html


def test_the_sign_in_page_is_throttled_per_address(world, rates):
    rates(login="2/min")
    email = world.startup_user.email
    token(email, "wrong", address="127.0.0.1")
    assert web_sign_in(Client(), email, "wrong", address="127.0.0.1").status_code == 200
    response = web_sign_in(Client(), email, PASSWORD, address="127.0.0.1")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert "Too many attempts from your address." in response.content.decode()
    assert web_sign_in(Client(), email, PASSWORD, address=OWNER).status_code == 302
