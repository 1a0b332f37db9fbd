"""The pilots page through Django's test client: who reaches it, and what its forms do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.accounts.models import Membership
from backend.pilots.models import Outcome, Pilot
from tests.factories import member_of
from tests.pages import client_as, plain_static_files  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.django_db


def _proposal(world, **changes) -> dict:
    today = timezone.localdate()
    return {
        "question": "Does it hold 95% accuracy?",
        "criterion_1": "Accuracy at least 95%",
        "decision_owner": world.enterprise_user.pk,
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=30)),
        "terms": "paid",
        "amount": "50000",
        "ip_terms": "joint",
        **changes,
    }


@pytest.mark.parametrize("role", ["other_enterprise", "other_startup"])
def test_outsiders_get_not_found(world, connected, proposed, role):
    client = client_as(world.user(role))
    assert client.get(f"/matches/{connected.pk}/pilots/").status_code == 404
    assert client.post(f"/pilots/{proposed.pk}/accept/").status_code == 404


def test_operators_read_without_forms(world, connected, proposed):
    page = client_as(world.operator_user).get(f"/matches/{connected.pk}/pilots/")
    assert page.status_code == 200
    html = page.content.decode()
    assert proposed.question in html and "data-propose-form" not in html


def test_the_conversation_links_to_the_pilots(world, connected):
    page = client_as(world.startup_user).get(f"/conversations/{connected.conversation.pk}/")
    assert f'href="/matches/{connected.pk}/pilots/" data-pilots-link' in page.content.decode()


def test_a_pilot_from_the_page_to_a_decision(world, connected):
    startup, firm = client_as(world.startup_user), client_as(world.enterprise_user, "zh-hans")
    response = startup.post(f"/matches/{connected.pk}/pilots/propose/", _proposal(world))
    assert response.status_code == 302
    pilot = Pilot.objects.get()
    assert (pilot.success_criteria, pilot.proposed_side) == (["Accuracy at least 95%"], "startup")
    assert "等待对方接受" not in firm.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert firm.post(f"/pilots/{pilot.pk}/accept/").status_code == 302
    firm.post(f"/pilots/{pilot.pk}/update/", {"on": str(timezone.localdate()), "text": "OK"})
    refused = firm.post(f"/pilots/{pilot.pk}/decide/", {"decision": "stop", "reason": "No"})
    assert refused.status_code == 400
    assert "终止时必填。" in refused.content.decode()
    firm.post(f"/pilots/{pilot.pk}/decide/", {"decision": "scale", "reason": "Met"})
    pilot.refresh_from_db()
    assert (pilot.state, pilot.updates.count()) == (Pilot.State.DECIDED, 1)


def test_a_refused_proposal_shows_its_errors_in_chinese(world, connected):
    today = timezone.localdate()
    response = client_as(world.startup_user, "zh-hans").post(
        f"/matches/{connected.pk}/pilots/propose/",
        _proposal(world, ends_on=str(today + timedelta(days=101))),
    )
    assert response.status_code == 400
    assert "超出试点允许的期限。" in response.content.decode()
    assert not Pilot.objects.exists()


def test_an_outcome_from_the_page_is_confirmed_by_the_other_party(world, connected):
    client_as(world.enterprise_user).post(
        f"/matches/{connected.pk}/outcomes/",
        {"kind": "purchase_order", "amount": "300000", "currency": "CNY", "on": "2026-03-01"},
    )
    outcome = Outcome.objects.get()
    page = client_as(world.startup_user).get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'action="/outcomes/{outcome.pk}/confirm/"' in page
    client_as(world.startup_user).post(f"/outcomes/{outcome.pk}/confirm/")
    outcome.refresh_from_db()
    assert outcome.confirmed_by == world.startup_user


def test_an_outcomes_document_is_linked_on_the_page(world, connected, settings, tmp_path):
    from backend.accounts.selectors import actor_for
    from backend.pilots import services

    settings.MEDIA_ROOT = tmp_path / "media"
    outcome = services.outcome_record(
        actor=actor_for(world.enterprise_user),
        match=connected,
        kind="purchase_order",
        amount="1.00",
        currency="CNY",
        on=timezone.localdate(),
    )
    services.outcome_attach_document(
        actor=actor_for(world.enterprise_user),
        outcome=outcome,
        upload=SimpleUploadedFile("po.pdf", b"%PDF-1.4\n"),
    )
    page = client_as(world.startup_user).get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'href="/api/outcomes/{outcome.pk}/document/" data-document>po.pdf<' in page


def test_the_proposer_withdraws_from_the_page_and_the_other_party_reads_why(world, connected):
    startup, firm = client_as(world.startup_user), client_as(world.enterprise_user, "zh-hans")
    startup.post(f"/matches/{connected.pk}/pilots/propose/", _proposal(world))
    pilot = Pilot.objects.get()
    page = startup.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'action="/pilots/{pilot.pk}/withdraw/"' in page
    assert f'action="/pilots/{pilot.pk}/decline/"' not in page
    firm_page = firm.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'action="/pilots/{pilot.pk}/decline/"' in firm_page
    assert f'action="/pilots/{pilot.pk}/withdraw/"' not in firm_page

    refused = firm.post(f"/pilots/{pilot.pk}/withdraw/", {"reason": ""}, follow=True)
    assert "只有提出试点的一方可以撤回。" in refused.content.decode()
    too_long = startup.post(f"/pilots/{pilot.pk}/withdraw/", {"reason": "x" * 2001})
    assert too_long.status_code == 400 and "data-withdraw-form" in too_long.content.decode()
    response = startup.post(f"/pilots/{pilot.pk}/withdraw/", {"reason": "Boards are late."})
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert (pilot.state, pilot.closed_reason) == (Pilot.State.WITHDRAWN, "Boards are late.")
    firm_page = firm.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert "已撤回" in firm_page and "Boards are late." in firm_page
    assert f'action="/pilots/{pilot.pk}/decline/"' not in firm_page


def test_the_other_party_declines_from_the_page_once(world, connected, proposed):
    firm = client_as(world.enterprise_user, "zh-hans")
    assert firm.post(f"/pilots/{proposed.pk}/decline/", {}).status_code == 302
    proposed.refresh_from_db()
    assert proposed.state == Pilot.State.DECLINED
    again = firm.post(f"/pilots/{proposed.pk}/decline/", {}, follow=True)
    assert "只有尚在提议中的试点可以撤回或婉拒。" in again.content.decode()
    page = client_as(world.startup_user).get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert "Declined by the other party." in page


def test_the_firm_hands_the_decision_to_a_colleague_from_the_page(world, connected, running):
    colleague = member_of(world.enterprise, role=Membership.Role.MEMBER)
    startup_page = client_as(world.startup_user).get(f"/matches/{connected.pk}/pilots/")
    assert "data-owner-form" not in startup_page.content.decode()
    refused = client_as(world.startup_user).post(
        f"/pilots/{running.pk}/decision-owner/", {"decision_owner": colleague.pk}
    )
    assert refused.status_code == 400
    firm = client_as(world.enterprise_user, "zh-hans")
    page = firm.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'action="/pilots/{running.pk}/decision-owner/"' in page and "更换决策负责人" in page
    response = firm.post(f"/pilots/{running.pk}/decision-owner/", {"decision_owner": colleague.pk})
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.decision_owner == colleague
    operator_page = client_as(world.operator_user).get(f"/matches/{connected.pk}/pilots/")
    assert "data-owner-form" in operator_page.content.decode()


def test_the_recording_party_attaches_the_outcomes_pdf_from_the_page(
    world, connected, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    firm, startup = client_as(world.enterprise_user, "zh-hans"), client_as(world.startup_user)
    firm.post(
        f"/matches/{connected.pk}/outcomes/",
        {"kind": "purchase_order", "amount": "300000", "currency": "CNY", "on": "2026-03-01"},
    )
    outcome = Outcome.objects.get()
    url = f"/outcomes/{outcome.pk}/document/"
    assert f'action="{url}"' in firm.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'action="{url}"' not in startup.get(f"/matches/{connected.pk}/pilots/").content.decode()

    not_pdf = firm.post(url, {"file": SimpleUploadedFile("po.pdf", b"MZ\x90")}, follow=True)
    assert "只接受 PDF 文件。" in not_pdf.content.decode()
    assert "请选择要附上的 PDF 文件。" in firm.post(url, {}, follow=True).content.decode()
    refused = startup.post(url, {"file": SimpleUploadedFile("po.pdf", b"%PDF-1.4\n")})
    assert refused.status_code == 302
    outcome.refresh_from_db()
    assert not outcome.document

    done = firm.post(url, {"file": SimpleUploadedFile("po.pdf", b"%PDF-1.4\n")}, follow=True)
    assert "文件已附上。" in done.content.decode()
    outcome.refresh_from_db()
    assert outcome.document_name == "po.pdf"
    page = startup.get(f"/matches/{connected.pk}/pilots/").content.decode()
    assert f'href="/api/outcomes/{outcome.pk}/document/" data-document>po.pdf<' in page
    assert client_as(world.other_startup_user).post(url, {}).status_code == 404
