"""A startup's growth-ladder credentials: its own to add, edit and remove; operators verify;
the profile carries them unless it is withheld."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend.accounts.selectors import actor_for
from backend.common.errors import ApplicationError
from backend.startups.models import Credential
from backend.startups.selectors import credentials_shown
from backend.startups.services import credential_add

pytestmark = pytest.mark.django_db

MINE = "/api/startups/me/credentials/"
HIGH_TECH = {
    "kind": "high_tech",
    "certificate_number": "GR202331001234",
    "issued_on": "2023-11-15",
    "expires_on": "2026-11-14",
}


def credential_of(organization, **fields) -> Credential:
    values = {
        "kind": Credential.Kind.TECH_SME,
        "certificate_number": "202331010600001234",
        "issued_on": date(2024, 5, 1),
        **fields,
    }
    return Credential.objects.create(organization=organization, **values)


def test_a_startup_adds_one_unverified(world, client_for):
    response = client_for(world.startup_user).post(MINE, HIGH_TECH, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["verified_at"] is None and body["kind"] == "high_tech"
    assert Credential.objects.get().organization == world.startup
    assert [c["id"] for c in client_for(world.startup_user).get(MINE).json()] == [body["id"]]


@pytest.mark.parametrize("role", ["enterprise", "operator"])
def test_only_a_startup_keeps_credentials(world, client_for, role):
    client = client_for(world.user(role))
    assert client.post(MINE, HIGH_TECH, format="json").status_code == 403
    assert client.get(MINE).status_code == 403
    assert not Credential.objects.exists()


def test_it_cannot_expire_before_it_was_issued(world, client_for):
    response = client_for(world.startup_user).post(
        MINE, {**HIGH_TECH, "expires_on": "2023-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()["error"]["fields"]


def test_an_operator_verifies_and_an_edit_clears_it(world, client_for):
    credential = credential_of(world.startup)
    response = client_for(world.operator_user).post(f"/api/credentials/{credential.pk}/verify/")
    assert response.status_code == 200 and response.json()["verified_at"]
    credential.refresh_from_db()
    assert credential.verified_by == world.operator_user

    unchanged = client_for(world.startup_user).patch(
        f"{MINE}{credential.pk}/",
        {"certificate_number": credential.certificate_number},
        format="json",
    )
    assert unchanged.json()["verified_at"] is not None

    changed = client_for(world.startup_user).patch(
        f"{MINE}{credential.pk}/", {"certificate_number": "202331010600009999"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["verified_at"] is None
    credential.refresh_from_db()
    assert credential.verified_by is None


@pytest.mark.parametrize("role", ["enterprise", "startup", "other_startup"])
def test_only_operators_verify(world, client_for, role):
    credential = credential_of(world.startup)
    response = client_for(world.user(role)).post(f"/api/credentials/{credential.pk}/verify/")
    assert response.status_code == 404
    credential.refresh_from_db()
    assert credential.verified_at is None


def test_another_startups_credential_does_not_exist_for_it(world, client_for):
    credential = credential_of(world.startup)
    client = client_for(world.other_startup_user)
    url = f"{MINE}{credential.pk}/"
    assert client.patch(url, {"certificate_number": "X"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert Credential.objects.get().certificate_number == "202331010600001234"


def test_a_startup_removes_its_own(world, client_for):
    credential = credential_of(world.startup)
    response = client_for(world.startup_user).delete(f"{MINE}{credential.pk}/")
    assert response.status_code == 204
    assert not Credential.objects.exists()


def test_the_profile_carries_them_with_expiry(world, client_for, profile):
    credential_of(world.startup, expires_on=date.today() - timedelta(days=1))
    credential_of(world.startup, kind=Credential.Kind.HIGH_TECH, expires_on=None)
    body = client_for(world.enterprise_user).get(f"/api/startups/{profile.pk}/").json()
    assert [(c["kind"], c["expired"]) for c in body["credentials"]] == [
        ("tech_sme", True),
        ("high_tech", False),
    ]


def test_a_withdrawn_profile_withholds_them(world, client_for, profile):
    credential_of(world.startup)
    profile.published = False
    profile.save()
    operator = client_for(world.operator_user).get(f"/api/startups/{profile.pk}/").json()
    assert len(operator["credentials"]) == 1
    own = client_for(world.startup_user).get("/api/startups/me/").json()
    assert len(own["credentials"]) == 1
    assert credentials_shown(actor_for(world.enterprise_user), profile) == []
    assert credentials_shown(None, profile) == []


def test_the_admin_verifies_and_a_change_clears_it(world, client):
    world.operator_user.is_staff = world.operator_user.is_superuser = True
    world.operator_user.save()
    client.force_login(world.operator_user)
    credential = credential_of(world.startup)
    client.post(
        "/admin/startups/credential/",
        {"action": "mark_verified", "_selected_action": [credential.pk]},
    )
    credential.refresh_from_db()
    assert credential.verified_by == world.operator_user
    change = f"/admin/startups/credential/{credential.pk}/change/"
    form = {
        "organization": world.startup.pk,
        "kind": credential.kind,
        "certificate_number": credential.certificate_number,
        "issued_on": "2024-05-01",
        "expires_on": "",
    }
    assert client.post(change, form).status_code == 302
    credential.refresh_from_db()
    assert credential.verified_at is not None  # saved unchanged
    client.post(change, {**form, "certificate_number": "202331010600009999"})
    credential.refresh_from_db()
    assert credential.verified_at is None


def test_the_service_leaves_the_verification_to_operators(world):
    with pytest.raises(ApplicationError):
        credential_add(
            actor=actor_for(world.startup_user),
            data={
                "kind": Credential.Kind.TECH_SME,
                "certificate_number": "1",
                "issued_on": date(2024, 1, 1),
                "verified_at": timezone.now(),
            },
        )
    assert not Credential.objects.exists()
