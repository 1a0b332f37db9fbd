"""An operator's roster: good rows become unclaimed startups whose contacts are invited by mail;
one bad row imports nothing and every problem is reported by its line."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from backend.accounts.mail import outbox_send
from backend.accounts.models import Membership, Organization, OutgoingMail, User
from backend.accounts.selectors import actor_for
from backend.common.errors import (
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from backend.startups.models import StartupProfile
from backend.startups.roster import RESEND_COOLDOWN, roster_invitation_resend
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "name,credit code,contact email,website,summary"
GOOD = [
    "Quantum Sensors,914403001922038216,ceo@quantum.test,quantum.test,Cold-atom sensors",
    "芯片小队,91440300192317458F,founder@chips.test,,边缘推理芯片",
]


def csv_file(*lines: str, name: str = "roster.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(lines).encode(encoding), content_type="text/csv")


def upload(client, file):
    return client.post("/api/rosters/", {"file": file}, format="multipart")


def test_good_rows_become_unclaimed_startups_with_invited_owners(world, client_for):
    response = upload(client_for(world.operator_user), csv_file(HEADER, *GOOD))
    assert response.status_code == 201, response.json()
    assert response.json()["imported"] == 2
    startup = Organization.objects.get(credit_code="914403001922038216")
    assert startup.kind == Organization.Kind.STARTUP and startup.unclaimed
    profile = StartupProfile.objects.get(organization=startup)
    assert profile.name == "Quantum Sensors" and not profile.published
    assert profile.website == "https://quantum.test" and profile.summary == "Cold-atom sensors"
    owner = Membership.objects.get(organization=startup)
    assert owner.role == Membership.Role.OWNER
    assert owner.user.email == "ceo@quantum.test" and not owner.user.has_usable_password()
    assert sorted(OutgoingMail.objects.values_list("to", flat=True)) == [
        "ceo@quantum.test",
        "founder@chips.test",
    ]


def test_one_bad_row_imports_nothing_and_every_problem_has_its_line(world, client_for):
    OrganizationFactory(credit_code="9144030071526726XG")
    UserFactory(email="taken@example.test")
    response = upload(
        client_for(world.operator_user),
        csv_file(
            HEADER,
            *GOOD,
            ",91520000214434146R,a@x.test,,",  # line 4: no name
            "Bad Code,914403001922038217,b@x.test,,",  # 5: wrong check digit
            "Twin,914403001922038216,c@x.test,,",  # 6: same code as line 2
            "Known,9144030071526726XG,d@x.test,,",  # 7: code already on the platform
            "No Mail,9144030010001686XA,not-an-email,,",  # 8
            "Taken,91440300100012316L,taken@example.test,,",  # 9: an account exists
            "Twice,91110108551385082Q,ceo@quantum.test,,",  # 10: same e-mail as line 2
            "Web,91110000802100433B,e@x.test,not a site,",  # 11
        ),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_roster"
    problems = error["fields"]["file"]
    for line in (4, 5, 6, 7, 8, 9, 10, 11):
        assert any(p.startswith(f"Line {line}:") for p in problems), (line, problems)
    assert not any(p.startswith(("Line 2:", "Line 3:")) for p in problems)
    assert "Line 6: Same credit code as line 2." in problems
    assert "Line 10: Same contact e-mail as line 2." in problems
    assert not StartupProfile.objects.exists()
    assert not User.objects.filter(email="ceo@quantum.test").exists()
    assert not OutgoingMail.objects.exists()


def test_an_xlsx_roster_with_chinese_headers(world, client_for):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "统一社会信用代码", "联系邮箱", "简介"])
    sheet.append(["芯片小队", "91440300192317458F", "founder@chips.test", "边缘推理芯片"])
    sheet.append([None, None, None, None])  # an empty row is no startup
    content = io.BytesIO()
    workbook.save(content)
    file = SimpleUploadedFile("名单.xlsx", content.getvalue())
    response = upload(client_for(world.operator_user), file)
    assert response.status_code == 201, response.json()
    assert response.json()["startups"][0]["credit_code"] == "91440300192317458F"


def test_a_gbk_csv_from_excel_is_read(world, client_for):
    file = csv_file("名称,统一社会信用代码,联系邮箱", GOOD[1].rsplit(",", 2)[0], encoding="gb18030")
    assert upload(client_for(world.operator_user), file).status_code == 201
    assert Organization.objects.filter(name="芯片小队").exists()


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        (csv_file("name,contact email", "A,a@x.test"), "Line 1: Missing columns: credit code."),
        (csv_file(HEADER), "Line 2: The roster has no startups."),
        (SimpleUploadedFile("roster.pdf", b"%PDF-1.4"), "Line 0: Upload a CSV or XLSX file."),
        (
            SimpleUploadedFile("roster.xlsx", b"not a zip"),
            "Line 0: The file could not be read as CSV or XLSX.",
        ),
    ],
)
def test_unreadable_rosters_are_explained(world, client_for, file, reason):
    response = upload(client_for(world.operator_user), file)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"] == [reason]


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_only_operators_import(world, client_for, role):
    response = upload(client_for(world.user(role)), csv_file(HEADER, *GOOD))
    assert response.status_code == 403
    assert not StartupProfile.objects.exists()


@pytest.mark.usefixtures("plain_static_files")
def test_the_contact_claims_the_startup_once_in_chinese(world, client_for, smtp):
    upload(client_for(world.operator_user), csv_file(HEADER, GOOD[0]))
    outbox_send()
    (mail,) = smtp.wait("ceo@quantum.test")
    assert "Quantum Sensors" in mail.subject and "等您" in mail.subject
    assert "Operations" in mail.body  # who brought the startup in
    url, _, _ = mail.link("/accounts/claim/")
    path = url.removeprefix("http://127.0.0.1:8000")
    client = Client()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    password = "a-new-long-password"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302 and done.url == "/profile/"
    assert client.get("/profile/").status_code == 200  # signed in, the owner
    user = User.objects.get(email="ceo@quantum.test")
    assert user.check_password(password) and user.email_verified
    assert not Organization.objects.get(credit_code="914403001922038216").unclaimed
    spent = Client().get(path, follow=True)
    assert "This link is invalid or has already been used." in spent.content.decode()


def test_past_the_invitation_a_password_reset_claims_the_startup(world, client_for, smtp):
    upload(client_for(world.operator_user), csv_file(HEADER, GOOD[0]))
    anonymous = client_for(None)
    anonymous.post("/api/auth/password-reset/", {"email": "ceo@quantum.test"}, format="json")
    outbox_send()
    reset = smtp.wait("ceo@quantum.test", count=2)[1]
    _, uid, token = reset.link("/accounts/password-reset/")
    response = anonymous.post(
        "/api/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "password": "a-new-long-password"},
        format="json",
    )
    assert response.status_code == 200
    assert not Organization.objects.get(credit_code="914403001922038216").unclaimed


def _imported(world, client_for) -> Organization:
    upload(client_for(world.operator_user), csv_file(HEADER, GOOD[0]))
    return Organization.objects.get(credit_code="914403001922038216")


def _an_hour_later(startup: Organization) -> None:
    startup.refresh_from_db()
    Organization.objects.filter(pk=startup.pk).update(
        invited_at=startup.invited_at - RESEND_COOLDOWN - timedelta(seconds=1)
    )


def test_an_operator_resends_an_unclaimed_startups_invitation_once_an_hour(world, client_for):
    startup = _imported(world, client_for)
    assert startup.invited_at is not None
    operator = actor_for(world.operator_user)
    with pytest.raises(RateLimitedError):
        roster_invitation_resend(actor=operator, organization_id=startup.pk)
    assert OutgoingMail.objects.count() == 1
    _an_hour_later(startup)
    roster_invitation_resend(actor=operator, organization_id=startup.pk)
    assert list(OutgoingMail.objects.values_list("to", flat=True)) == ["ceo@quantum.test"] * 2
    with pytest.raises(RateLimitedError):
        roster_invitation_resend(actor=operator, organization_id=startup.pk)


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_only_an_operator_resends(world, client_for, role):
    startup = _imported(world, client_for)
    _an_hour_later(startup)
    with pytest.raises(PermissionDeniedError):
        roster_invitation_resend(actor=actor_for(world.user(role)), organization_id=startup.pk)
    assert OutgoingMail.objects.count() == 1


def test_a_claimed_startup_or_another_kind_is_not_invited_again(world, client_for):
    startup = _imported(world, client_for)
    _an_hour_later(startup)
    operator = actor_for(world.operator_user)
    with pytest.raises(NotFoundError):
        roster_invitation_resend(actor=operator, organization_id=world.enterprise.pk)
    contact = User.objects.get(email="ceo@quantum.test")
    contact.set_password("a-long-password-1")
    contact.save()
    with pytest.raises(InvalidTransitionError):
        roster_invitation_resend(actor=operator, organization_id=startup.pk)
    with pytest.raises(InvalidTransitionError):
        roster_invitation_resend(actor=operator, organization_id=world.startup.pk)
    assert OutgoingMail.objects.count() == 1


def test_the_roster_page_lists_unclaimed_startups_with_a_resend_button(world, client_for, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    startup = _imported(world, client_for)
    operator = Client()
    operator.force_login(world.operator_user)
    operator.cookies["django_language"] = "zh-hans"
    page = operator.get("/operator/rosters/").content.decode()
    url = f"/operator/rosters/{startup.pk}/resend/"
    assert f'action="{url}"' in page and "ceo@quantum.test" in page
    too_soon = operator.post(url, follow=True).content.decode()
    assert "距上次发送邀请不到一小时，请稍后再发。" in too_soon
    _an_hour_later(startup)
    assert "邀请已重新发送。" in operator.post(url, follow=True).content.decode()
    assert OutgoingMail.objects.count() == 2
    firm = Client()
    firm.force_login(world.enterprise_user)
    assert firm.post(url).status_code == 404
