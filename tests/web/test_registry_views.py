"""The pages of an organisation's registration, a startup's credentials and an operator's
roster: who may open them, and what a refused form says."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backend.accounts.models import Membership
from backend.startups.models import Credential, StartupProfile
from tests.factories import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_files")]

HUAWEI = "914403001922038216"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_saves_the_registration(world):
    response = signed_in(world.enterprise_user).post(
        "/settings/organisation/",
        {
            "credit_code": "9144 0300 1922 0382 16",
            "registered_district": "静安区",
            "founded_on": "",
        },
    )
    assert response.status_code == 302
    world.enterprise.refresh_from_db()
    assert world.enterprise.credit_code == HUAWEI


def test_a_wrong_code_is_shown_by_its_field_in_chinese(world):
    client = signed_in(world.enterprise_user)
    client.cookies["django_language"] = "zh-hans"
    response = client.post("/settings/organisation/", {"credit_code": HUAWEI[:-1] + "7"})
    assert response.status_code == 200
    assert "统一社会信用代码无效" in response.content.decode()
    world.enterprise.refresh_from_db()
    assert world.enterprise.credit_code == ""


def test_a_member_reads_the_registration_but_cannot_change_it(world):
    member = member_of(world.enterprise, role=Membership.Role.MEMBER)
    client = signed_in(member)
    page = client.get("/settings/organisation/").content.decode()
    assert "Only an owner or admin" in page and "disabled" in page
    client.post("/settings/organisation/", {"credit_code": HUAWEI})
    world.enterprise.refresh_from_db()
    assert world.enterprise.credit_code == ""


def test_another_startups_credential_has_no_page(world):
    credential = Credential.objects.create(
        organization=world.startup,
        kind=Credential.Kind.TECH_SME,
        certificate_number="1",
        issued_on=date(2024, 1, 1),
    )
    other = signed_in(world.other_startup_user)
    assert other.get(f"/profile/credentials/{credential.pk}/").status_code == 404
    other.post(f"/profile/credentials/{credential.pk}/remove/")
    assert Credential.objects.filter(pk=credential.pk).exists()
    own = signed_in(world.startup_user)
    assert own.post(f"/profile/credentials/{credential.pk}/remove/").status_code == 302
    assert not Credential.objects.exists()


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_the_roster_page_exists_only_for_operators(world, role):
    client = signed_in(world.user(role))
    assert client.get("/operator/rosters/").status_code == 404
    file = SimpleUploadedFile(
        "r.csv", f"name,credit code,contact email\nA,{HUAWEI},a@x.test".encode()
    )
    assert client.post("/operator/rosters/", {"file": file}).status_code == 404
    assert not StartupProfile.objects.exists()


def test_an_operator_verifies_from_the_startup_page(world, profile):
    world.startup.credit_code = HUAWEI
    world.startup.save()
    credential = Credential.objects.create(
        organization=world.startup,
        kind=Credential.Kind.HIGH_TECH,
        certificate_number="GR1",
        issued_on=date(2024, 1, 1),
    )
    page_url = f"/startups/{profile.pk}/"
    operator = signed_in(world.operator_user)
    page = operator.get(page_url).content.decode()
    assert HUAWEI in page
    assert f"/organisations/{world.startup.pk}/verify/" in page
    assert f"/credentials/{credential.pk}/verify/" in page
    done = operator.post(f"/organisations/{world.startup.pk}/verify/", {"next": page_url})
    assert done.url == page_url
    operator.post(f"/credentials/{credential.pk}/verify/", {"next": page_url})
    world.startup.refresh_from_db()
    credential.refresh_from_db()
    assert world.startup.verified_by == credential.verified_by == world.operator_user
    assert "/verify/" not in operator.get(page_url).content.decode()


def test_a_firm_reads_the_registration_and_verifies_nothing(world, profile):
    world.startup.credit_code = HUAWEI
    world.startup.save()
    firm = signed_in(world.enterprise_user)
    assert "/verify/" not in firm.get(f"/startups/{profile.pk}/").content.decode()
    assert firm.post(f"/organisations/{world.startup.pk}/verify/").status_code == 404
    world.startup.refresh_from_db()
    assert world.startup.verified_at is None
