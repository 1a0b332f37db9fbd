"""An organisation's registration at /api/organizations/me/ and its verification by operators."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.signals import post_save

from backend.accounts.models import Membership, Organization
from backend.accounts.selectors import actor_for
from backend.accounts.services import organization_save, organization_update
from backend.common.errors import ApplicationError
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db

HUAWEI = "914403001922038216"
BYD = "91440300192317458F"
ME = "/api/organizations/me/"


def verify_url(organization: Organization) -> str:
    return f"/api/organizations/{organization.pk}/verify/"


def test_a_member_reads_the_registration(world, client_for):
    member = member_of(world.enterprise, role=Membership.Role.MEMBER)
    body = client_for(member).get(ME).json()
    assert body["id"] == world.enterprise.pk
    assert body["credit_code"] == "" and body["verified_at"] is None


def test_an_owner_sets_the_registration_and_the_code_is_normalised(world, client_for):
    response = client_for(world.enterprise_user).patch(
        ME,
        {
            "credit_code": "9144 0300 1922 0382 16",
            "registered_district": "静安区",
            "founded_on": "1987-09-15",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.enterprise.refresh_from_db()
    assert world.enterprise.credit_code == HUAWEI
    assert world.enterprise.registered_district == "静安区"
    assert str(world.enterprise.founded_on) == "1987-09-15"


@pytest.mark.parametrize("role", [Membership.Role.ADMIN, Membership.Role.OWNER])
def test_owners_and_admins_write(world, client_for, role):
    user = member_of(world.startup, role=role)
    response = client_for(user).patch(ME, {"registered_district": "静安区"}, format="json")
    assert response.status_code == 200


def test_a_plain_member_cannot_write(world, client_for):
    member = member_of(world.enterprise, role=Membership.Role.MEMBER)
    response = client_for(member).patch(ME, {"registered_district": "静安区"}, format="json")
    assert response.status_code == 403
    world.enterprise.refresh_from_db()
    assert world.enterprise.registered_district == ""


def test_a_wrong_check_digit_is_a_400_on_the_field(world, client_for):
    response = client_for(world.enterprise_user).patch(
        ME, {"credit_code": HUAWEI[:-1] + "7"}, format="json"
    )
    assert response.status_code == 400
    assert "credit_code" in response.json()["error"]["fields"]


def test_a_code_of_another_organisation_is_refused(world, client_for):
    OrganizationFactory(credit_code=HUAWEI)
    response = client_for(world.enterprise_user).patch(ME, {"credit_code": HUAWEI}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["credit_code"]


def test_many_organisations_may_have_no_code(world, client_for):
    for user in (world.enterprise_user, world.startup_user):
        response = client_for(user).patch(ME, {"credit_code": ""}, format="json")
        assert response.status_code == 200


def test_an_operator_verifies_and_a_new_code_clears_it(world, client_for):
    client_for(world.startup_user).patch(ME, {"credit_code": HUAWEI}, format="json")
    response = client_for(world.operator_user).post(verify_url(world.startup))
    assert response.status_code == 200 and response.json()["verified_at"]
    world.startup.refresh_from_db()
    assert world.startup.verified_by == world.operator_user

    client_for(world.startup_user).patch(
        ME, {"registered_district": "静安区", "credit_code": HUAWEI}, format="json"
    )
    world.startup.refresh_from_db()
    assert world.startup.verified_at is not None  # the code is what was checked

    client_for(world.startup_user).patch(ME, {"credit_code": BYD}, format="json")
    world.startup.refresh_from_db()
    assert world.startup.verified_at is None and world.startup.verified_by is None


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_only_operators_verify_and_others_see_no_such_action(world, client_for, role):
    world.startup.credit_code = HUAWEI
    world.startup.save()
    response = client_for(world.user(role)).post(verify_url(world.startup))
    assert response.status_code == 404
    world.startup.refresh_from_db()
    assert world.startup.verified_at is None


def test_an_organisation_without_a_code_cannot_be_verified(world, client_for):
    response = client_for(world.operator_user).post(verify_url(world.startup))
    assert response.status_code == 400
    assert (
        client_for(world.operator_user).post("/api/organizations/999999/verify/").status_code == 404
    )


def test_no_organisation_no_registration(db, client_for):
    from tests.factories import UserFactory

    assert client_for(UserFactory()).get(ME).status_code == 404


def test_the_admin_verifies_and_a_changed_code_clears_it(world, client):
    admin_user = world.operator_user
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    world.startup.credit_code = HUAWEI
    world.startup.save()
    client.post(
        "/admin/accounts/organization/",
        {"action": "mark_verified", "_selected_action": [world.startup.pk, world.enterprise.pk]},
    )
    world.startup.refresh_from_db()
    world.enterprise.refresh_from_db()
    assert world.startup.verified_by == admin_user
    assert world.enterprise.verified_at is None  # no code, nothing to verify
    change = f"/admin/accounts/organization/{world.startup.pk}/change/"
    form = {
        "name": world.startup.name,
        "kind": world.startup.kind,
        "credit_code": HUAWEI,
        "registered_district": "",
        "founded_on": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    assert client.post(change, form).status_code == 302
    world.startup.refresh_from_db()
    assert world.startup.verified_at is not None  # saved unchanged
    client.post(change, {**form, "credit_code": BYD})
    world.startup.refresh_from_db()
    assert world.startup.credit_code == BYD and world.startup.verified_at is None


def test_the_service_writes_only_the_registration(world):
    with pytest.raises(ApplicationError):
        organization_update(actor=actor_for(world.enterprise_user), data={"verified_at": None})
    with pytest.raises(ApplicationError):
        organization_update(actor=actor_for(world.enterprise_user), data={"kind": "operator"})
    world.enterprise.refresh_from_db()
    assert world.enterprise.kind == Organization.Kind.ENTERPRISE


def test_a_code_taken_after_the_check_is_the_fields_error_and_the_transaction_goes_on(world):
    """The save itself meets the unique constraint (the check passed before another request
    took the code): the field's 400, not a database error, and the caller's transaction stays
    usable (the save ran in a savepoint)."""
    OrganizationFactory(name="Rival", credit_code=HUAWEI)
    with transaction.atomic():
        world.enterprise.credit_code = HUAWEI
        with pytest.raises(ApplicationError) as caught:
            organization_save(world.enterprise)
        assert Organization.objects.filter(credit_code=HUAWEI).count() == 1
    assert (caught.value.code, list(caught.value.fields)) == ("credit_code_taken", ["credit_code"])
    world.enterprise.refresh_from_db()
    assert world.enterprise.credit_code == ""


def test_a_roster_row_whose_code_is_taken_meanwhile_imports_nothing(world, client_for):
    """Another request registers the second row's code while the first row is being saved,
    after the roster was checked: a 400 on that line, and the first row is not kept."""

    def rival(sender, instance, created, **kwargs):
        if instance.name == "Quantum":
            post_save.disconnect(rival, sender=Organization)
            Organization.objects.create(name="Rival", kind="startup", credit_code=BYD)

    roster = (
        "name,credit code,contact email\n"
        f"Quantum,{HUAWEI},ceo@quantum.test\n"
        f"Chips,{BYD},ceo@chips.test\n"
    )
    post_save.connect(rival, sender=Organization)
    try:
        response = client_for(world.operator_user).post(
            "/api/rosters/",
            {"file": SimpleUploadedFile("roster.csv", roster.encode())},
            format="multipart",
        )
    finally:
        post_save.disconnect(rival, sender=Organization)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["file"][0].startswith("Line 3:")
    assert not Organization.objects.filter(name__in=["Quantum", "Chips", "Rival"]).exists()
