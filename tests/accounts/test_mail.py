"""Account mail through a real SMTP server: sign-up verification, password reset, the outbox."""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.mail import mail_send, outbox_send
from backend.accounts.models import Organization, OutgoingMail, User
from backend.config.celery import app
from tests.factories import PASSWORD
from tests.servers import free_port, manage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages link their static files; without `collectstatic` there is no hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


NEW_PASSWORD = "another-long-password"


def signup(client: APIClient, email: str, **extra) -> dict:
    response = client.post(
        "/api/auth/signup/",
        {
            "email": email,
            "password": "a-long-test-password",
            "organization_name": "Quantum Sensors",
            "kind": "startup",
        },
        format="json",
        **extra,
    )
    return {"status": response.status_code, **response.json()}


def token(client: APIClient, email: str, password: str):
    return client.post("/api/auth/token/", {"email": email, "password": password}, format="json")


def test_without_email_url_mail_is_printed_to_the_log():
    env = {key: value for key, value in os.environ.items() if key != "EMAIL_URL"}
    env.update(DEBUG="1", SECRET_KEY="x")
    printed = manage(
        env, "shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    )
    assert printed.split()[-1] == "django.core.mail.backends.console.EmailBackend"


def test_a_new_account_signs_in_once_its_address_is_verified_by_a_link_that_works_once(smtp):
    client = APIClient()
    assert signup(client, "founder@example.test")["status"] == 202
    refused = token(client, "founder@example.test", "a-long-test-password")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "email_unverified"

    assert outbox_send() == 1
    (mail,) = smtp.wait("founder@example.test")
    assert mail.subject == "Verify your address for Cohortis"
    url, uid, link_token = mail.link("/accounts/verify/")
    assert url.startswith("http://127.0.0.1:8000/accounts/verify/")
    link = {"uid": uid, "token": link_token}
    verified = client.post("/api/auth/verify-email/", link, format="json")
    assert verified.status_code == 200
    again = client.post("/api/auth/verify-email/", link, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_link"
    assert token(client, "founder@example.test", "a-long-test-password").status_code == 200


def test_the_unverified_refusal_needs_the_right_password(db):
    signup(APIClient(), "founder@example.test")
    wrong = token(APIClient(), "founder@example.test", "not-the-password")
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_the_web_link_asks_to_confirm_then_verifies_and_signs_in_once(smtp):
    signup(APIClient(), "founder@example.test")
    outbox_send()
    url, _, _ = smtp.wait("founder@example.test")[0].link("/accounts/verify/")
    path = url.removeprefix("http://127.0.0.1:8000")
    client = Client()
    assert b"Confirm my address" in client.get(path).content
    assert not User.objects.get(
        email="founder@example.test"
    ).email_verified  # opening is not enough
    assert client.post(path).url == "/profile/"
    assert client.get("/profile/").status_code == 200  # signed in
    spent = Client().post(path)
    assert spent.status_code == 400
    assert "This link is invalid or has already been used." in spent.content.decode()


def test_sign_up_answers_the_same_for_an_existing_address_and_mails_its_owner(world, smtp):
    owner = world.startup_user
    new = signup(APIClient(), "someone-new@example.test")
    existing = signup(APIClient(), owner.email.upper())
    assert new == existing
    assert Organization.objects.filter(name="Quantum Sensors").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and owner.email_verified

    outbox_send()
    (mail,) = smtp.wait(owner.email)
    assert mail.subject == "Someone tried to sign up with your address"
    _, uid, link_token = mail.link("/accounts/password-reset/")
    confirm = {"uid": uid, "token": link_token, "password": NEW_PASSWORD}
    reset = APIClient().post("/api/auth/password-reset/confirm/", confirm, format="json")
    assert reset.status_code == 200


def test_a_password_reset_link_works_once(world, smtp):
    client = APIClient()
    email = world.enterprise_user.email
    for address in [email, "nobody@example.test"]:
        response = client.post("/api/auth/password-reset/", {"email": address}, format="json")
        assert response.status_code == 202
    assert outbox_send() == 1  # no account, no mail
    (mail,) = smtp.wait(email)
    assert mail.subject == "Set a new password for Cohortis"
    _, uid, link_token = mail.link("/accounts/password-reset/")

    confirm = {"uid": uid, "token": link_token, "password": NEW_PASSWORD}
    assert (
        client.post("/api/auth/password-reset/confirm/", confirm, format="json").status_code == 200
    )
    again = client.post("/api/auth/password-reset/confirm/", confirm, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_link"
    assert token(client, email, PASSWORD).status_code == 400
    assert token(client, email, NEW_PASSWORD).status_code == 200


def test_a_reset_with_a_weak_password_keeps_the_link_working(world, smtp):
    APIClient().post(
        "/api/auth/password-reset/", {"email": world.startup_user.email}, format="json"
    )
    outbox_send()
    _, uid, link_token = smtp.wait(world.startup_user.email)[0].link("/accounts/password-reset/")
    link = {"uid": uid, "token": link_token}
    weak = APIClient().post(
        "/api/auth/password-reset/confirm/", {**link, "password": "12345678"}, format="json"
    )
    assert weak.status_code == 400 and "password" in weak.json()["error"]["fields"]
    strong = {**link, "password": NEW_PASSWORD}
    reset = APIClient().post("/api/auth/password-reset/confirm/", strong, format="json")
    assert reset.status_code == 200


def test_a_reset_also_verifies_the_address(smtp):
    signup(APIClient(), "founder@example.test")
    APIClient().post("/api/auth/password-reset/", {"email": "founder@example.test"}, format="json")
    outbox_send()
    reset = next(m for m in smtp.wait("founder@example.test", 2) if "password" in m.subject)
    _, uid, link_token = reset.link("/accounts/password-reset/")
    confirm = {"uid": uid, "token": link_token, "password": NEW_PASSWORD}
    APIClient().post("/api/auth/password-reset/confirm/", confirm, format="json")
    assert token(APIClient(), "founder@example.test", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize("link", [{"uid": "MTIzNDU2", "token": "x-y"}, {"uid": "!!", "token": ""}])
def test_a_made_up_link_is_refused(world, link):
    for path, extra in [
        ("verify-email/", {}),
        ("password-reset/confirm/", {"password": NEW_PASSWORD}),
    ]:
        response = APIClient().post(f"/api/auth/{path}", {**link, **extra}, format="json")
        assert response.status_code == 400


def test_password_reset_requests_are_throttled_per_address(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "password_reset": "2/min",
        },
    }
    client = APIClient()
    body = {"email": world.startup_user.email}
    for _ in range(2):
        assert client.post("/api/auth/password-reset/", body, format="json").status_code == 202
    refused = client.post("/api/auth/password-reset/", body, format="json")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    page = Client().post("/accounts/password-reset/", body)  # the page shares the budget
    assert page.status_code == 429
    assert OutgoingMail.objects.count() == 2


def test_mail_is_written_in_the_recipients_language(smtp):
    signup(APIClient(), "founder@example.test", HTTP_ACCEPT_LANGUAGE="zh-hans")
    outbox_send()
    (mail,) = smtp.wait("founder@example.test")
    assert mail.subject == "验证你在 Cohortis 的邮箱地址"
    assert "这个链接只能使用一次" in mail.body


def test_switching_language_on_the_site_switches_the_mail_language(world):
    client = Client()
    client.force_login(world.startup_user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    world.startup_user.refresh_from_db()
    assert world.startup_user.language == "zh-hans"


def test_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        signup(APIClient(), "founder@example.test")
        raise RuntimeError
    assert not OutgoingMail.objects.exists()


def test_a_failed_send_stays_in_the_outbox_and_goes_later_once(smtp, settings):
    APIClient().post("/api/auth/password-reset/", {"email": "x@example.test"}, format="json")
    User.objects.create_user("owner@example.test", PASSWORD)
    APIClient().post("/api/auth/password-reset/", {"email": "owner@example.test"}, format="json")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert outbox_send() == 0
    mail = OutgoingMail.objects.get()
    assert mail.attempts == 1 and mail.last_error and mail.sent_at is None
    assert mail.next_attempt_at > timezone.now()
    assert outbox_send() == 0  # not due yet

    settings.EMAIL_PORT = port
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    assert outbox_send() == 1
    assert outbox_send() == 0
    smtp.wait("owner@example.test")
    assert len(smtp.to("owner@example.test")) == 1
    mail.refresh_from_db()
    assert mail.sent_at is not None and mail.attempts == 2
    assert mail.body == ""  # its single-use link is not kept


def test_the_sign_in_page_asks_an_unverified_account_to_verify_only_after_the_right_password(db):
    signup(APIClient(), "founder@example.test")
    client = Client()
    wrong = client.post(
        "/accounts/login/", {"username": "founder@example.test", "password": "not-it"}
    ).content.decode()
    assert "Verify your email address first" not in wrong
    right = client.post(
        "/accounts/login/", {"username": "founder@example.test", "password": "a-long-test-password"}
    )
    assert "Verify your email address first" in right.content.decode()
    assert client.get("/profile/").status_code == 302  # still not signed in


def test_two_senders_that_read_the_same_mail_send_it_once(smtp):
    User.objects.create_user("owner@example.test", PASSWORD)
    APIClient().post("/api/auth/password-reset/", {"email": "owner@example.test"}, format="json")
    read_by_both = OutgoingMail.objects.get()
    stale = OutgoingMail.objects.get()
    assert mail_send(read_by_both)
    assert not mail_send(stale)
    smtp.wait("owner@example.test")
    assert len(smtp.to("owner@example.test")) == 1


def test_the_beat_schedules_the_outbox_task_the_worker_discovers(settings):
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE["send-outgoing-mail"]["task"] in app.tasks
