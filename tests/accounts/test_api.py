from __future__ import annotations

import pytest

from backend.accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def test_signup_creates_user_organisation_and_owner_membership(client_for):
    response = client_for(None).post(
        "/api/auth/signup/",
        {
            "email": "Founder@Example.test",
            "password": "a-long-test-password",
            "organization_name": "Quantum Sensors",
            "kind": "startup",
        },
        format="json",
    )
    assert response.status_code == 202 and "token" not in response.json()
    user = User.objects.get(email="founder@example.test")
    assert not user.email_verified
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert membership.organization.kind == Organization.Kind.STARTUP


def test_operators_cannot_sign_up(client_for):
    response = client_for(None).post(
        "/api/auth/signup/",
        {
            "email": "x@example.test",
            "password": "a-long-test-password",
            "organization_name": "Ops",
            "kind": "operator",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_a_weak_password_is_a_field_error_for_a_new_and_an_existing_address(world, client_for):
    body = {"organization_name": "Again", "kind": "startup", "password": "12345678"}
    for email in ["new@example.test", world.startup_user.email]:
        weak = client_for(None).post("/api/auth/signup/", {**body, "email": email}, format="json")
        assert weak.status_code == 400 and list(weak.json()["error"]["fields"]) == ["password"]


def test_token_login_and_me(world, client_for):
    client = client_for(None)
    token = client.post(
        "/api/auth/token/",
        {"email": world.enterprise_user.email, "password": "a-long-test-password"},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/").json()
    assert me["email"] == world.enterprise_user.email
    assert me["organization"] == {
        "id": world.enterprise.pk,
        "name": "Acme Chips",
        "kind": "enterprise",
    }
    assert me["role"] == "owner"


def test_wrong_password_is_refused_without_saying_which_part(world, client_for):
    response = client_for(None).post(
        "/api/auth/token/",
        {"email": world.enterprise_user.email, "password": "wrong"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_create_operator_command(db):
    from django.core.management import call_command

    call_command("create_operator", "ops@example.test", "--password", "a-long-test-password")
    user = User.objects.get(email="ops@example.test")
    assert Membership.objects.get(user=user).organization.kind == Organization.Kind.OPERATOR
