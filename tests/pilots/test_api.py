"""The pilots and outcomes API: the names other clients rely on, scoping, and the statuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Membership
from backend.accounts.selectors import actor_for
from backend.matches.models import Match
from backend.pilots import services
from backend.pilots.models import Outcome
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    StartupProfileFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def _body(world, match, **changes) -> dict:
    today = timezone.localdate()
    return {
        "match": match.pk,
        "question": "Does it hold 95% accuracy on our boards?",
        "success_criteria": ["Accuracy at least 95%"],
        "decision_owner": world.enterprise_user.pk,
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=90)),
        "terms": "in_kind",
        "amount": "20000.00",
        "ip_terms": "foreground_to_firm",
        **changes,
    }


def test_a_pilot_from_proposal_to_decision(world, client_for, connected):
    startup, firm = client_for(world.startup_user), client_for(world.enterprise_user)
    response = startup.post("/api/pilots/", _body(world, connected), format="json")
    assert response.status_code == 201, response.json()
    pilot = response.json()
    assert (pilot["state"], pilot["amount"], pilot["decision_owner"]["id"]) == (
        "proposed",
        "20000.00",
        world.enterprise_user.pk,
    )
    url = f"/api/pilots/{pilot['id']}/"
    assert startup.post(url + "accept/").status_code == 403
    response = firm.post(url + "accept/")
    assert response.json()["state"] == "running"

    response = startup.post(url + "updates/", {"text": "Board A: 96%."}, format="json")
    assert response.status_code == 201
    assert response.json()["on"] == str(timezone.localdate())
    assert [u["text"] for u in firm.get(url + "updates/").json()] == ["Board A: 96%."]

    response = firm.post(url + "decide/", {"decision": "scale"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = firm.post(url + "decide/", {"decision": "scale", "reason": "Met."}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "decided")
    assert firm.post(url + "accept/").status_code == 409


def test_an_amount_is_a_string(world, client_for, connected):
    response = client_for(world.startup_user).post(
        "/api/pilots/", _body(world, connected, amount=20000), format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]


def test_a_proposal_on_a_match_that_is_not_connected_is_refused(world, client_for, connected):
    Match.objects.filter(pk=connected.pk).update(status=Match.Status.PROPOSED)
    response = client_for(world.startup_user).post(
        "/api/pilots/", _body(world, connected), format="json"
    )
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["other_enterprise", "other_startup"])
def test_someone_elses_match_is_not_found(world, client_for, connected, role):
    response = client_for(world.user(role)).post(
        "/api/pilots/", _body(world, connected), format="json"
    )
    assert response.status_code == 404


def test_a_decision_owner_outside_the_firm_is_a_field_error(world, client_for, connected):
    response = client_for(world.startup_user).post(
        "/api/pilots/",
        _body(world, connected, decision_owner=world.startup_user.pk),
        format="json",
    )
    assert response.status_code == 400
    assert "decision_owner" in response.json()["error"]["fields"]


def test_lists_are_scoped(world, client_for, connected, proposed):
    other = Match.objects.create(
        challenge=ChallengeFactory(
            accelerator=AcceleratorFactory(enterprise=world.other_enterprise)
        ),
        startup=StartupProfileFactory(organization=world.other_startup),
        status=Match.Status.CONNECTED,
    )
    services.pilot_propose(
        actor=actor_for(world.other_startup_user),
        match=other,
        question="Another question",
        success_criteria=["One"],
        decision_owner=world.other_enterprise_user,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=10),
        terms="paid",
        amount="1.00",
        ip_terms="joint",
    )

    def ids(role: str) -> set[int]:
        rows = client_for(world.user(role)).get("/api/pilots/").json()["results"]
        return {row["match"] for row in rows}

    assert ids("enterprise") == ids("startup") == {connected.pk}
    assert ids("other_enterprise") == {other.pk}
    assert ids("operator") == {connected.pk, other.pk}
    hidden = client_for(world.other_startup_user).get(f"/api/pilots/{proposed.pk}/")
    assert hidden.status_code == 404
    by_match = client_for(world.other_startup_user).get(f"/api/pilots/?match={connected.pk}")
    assert by_match.status_code == 400


def test_an_outcome_is_recorded_then_confirmed_by_the_other_party(world, client_for, connected):
    startup, firm = client_for(world.startup_user), client_for(world.enterprise_user)
    body = {
        "match": connected.pk,
        "kind": "tech_transfer",
        "amount": "1200000.00",
        "currency": "CNY",
        "date": str(timezone.localdate()),
    }
    response = firm.post("/api/outcomes/", body, format="json")
    assert response.status_code == 201, response.json()
    outcome = response.json()
    assert (outcome["confirmed"], outcome["recorded_side"]) == (False, "enterprise")
    url = f"/api/outcomes/{outcome['id']}/confirm/"
    assert firm.post(url).status_code == 403
    assert client_for(world.other_startup_user).post(url).status_code == 404
    response = startup.post(url)
    assert (response.status_code, response.json()["confirmed"]) == (200, True)
    assert startup.post(url).status_code == 409
    assert [row["id"] for row in startup.get("/api/outcomes/").json()["results"]] == [outcome["id"]]
    assert client_for(world.other_enterprise_user).get("/api/outcomes/").json()["results"] == []
    assert Outcome.objects.get().confirmed_by == world.startup_user


def test_an_outcome_defaults_to_yuan(world, client_for, connected):
    response = client_for(world.startup_user).post(
        "/api/outcomes/",
        {"match": connected.pk, "kind": "investment", "amount": "5000000.00", "date": "2026-01-05"},
        format="json",
    )
    assert response.json()["currency"] == "CNY"


PDF = b"%PDF-1.7\n% a contract\n"


@pytest.fixture
def outcome(world, connected, settings, tmp_path) -> Outcome:
    settings.MEDIA_ROOT = tmp_path / "media"
    return services.outcome_record(
        actor=actor_for(world.startup_user),
        match=connected,
        kind="tech_service",
        amount="90000.00",
        currency="CNY",
        on=timezone.localdate(),
    )


def _upload(client, outcome, content: bytes = PDF, name: str = "contract.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/outcomes/{outcome.pk}/document/",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        format="multipart",
    )


def test_the_recording_party_attaches_a_pdf_the_parties_and_operators_read(
    world, client_for, outcome
):
    response = _upload(client_for(world.startup_user), outcome)
    assert (response.status_code, response.json()["document"]) == (200, "contract.pdf")
    for role in ("startup", "enterprise", "operator"):
        read = client_for(world.user(role)).get(f"/api/outcomes/{outcome.pk}/document/")
        assert (read.status_code, b"".join(read.streaming_content)) == (200, PDF), role
    hidden = client_for(world.other_enterprise_user).get(f"/api/outcomes/{outcome.pk}/document/")
    assert hidden.status_code == 404


def test_only_the_recording_party_attaches_and_only_before_confirmation(world, client_for, outcome):
    assert _upload(client_for(world.enterprise_user), outcome).status_code == 403
    assert _upload(client_for(world.other_startup_user), outcome).status_code == 404
    services.outcome_confirm(actor=actor_for(world.enterprise_user), outcome=outcome)
    assert _upload(client_for(world.startup_user), outcome).status_code == 409


def test_a_document_is_a_pdf_by_its_bytes(world, client_for, outcome):
    response = _upload(client_for(world.startup_user), outcome, b"MZ\x90\x00", "contract.pdf")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "not_pdf")


def test_no_document_reads_as_not_found(world, client_for, outcome):
    response = client_for(world.startup_user).get(f"/api/outcomes/{outcome.pk}/document/")
    assert response.status_code == 404


def test_a_document_over_ten_megabytes_is_refused(world, outcome):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from backend.common.errors import ApplicationError
    from backend.pilots.models import DOCUMENT_MAX_BYTES

    big = SimpleUploadedFile("big.pdf", PDF + b"0" * DOCUMENT_MAX_BYTES)
    with pytest.raises(ApplicationError) as caught:
        services.outcome_attach_document(
            actor=actor_for(world.startup_user), outcome=outcome, upload=big
        )
    assert caught.value.status_code == 413


@pytest.mark.parametrize("day", ["2026-1-5", "20260105", "2026-01-05T10:00:00", 20260105])
def test_a_day_is_written_yyyy_mm_dd_and_nothing_else(world, client_for, connected, day):
    response = client_for(world.startup_user).post(
        "/api/pilots/", _body(world, connected, starts_on=day), format="json"
    )
    assert response.status_code == 400
    assert "starts_on" in response.json()["error"]["fields"]


def test_the_proposer_withdraws_and_the_other_party_declines(world, client_for, connected):
    startup, firm = client_for(world.startup_user), client_for(world.enterprise_user)
    first = startup.post("/api/pilots/", _body(world, connected), format="json").json()
    url = f"/api/pilots/{first['id']}/"
    assert firm.post(url + "withdraw/").status_code == 403
    assert client_for(world.other_startup_user).post(url + "withdraw/").status_code == 404
    response = startup.post(url + "withdraw/", {"reason": "Boards are late."}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["closed_reason"]) == (
        "withdrawn",
        "Boards are late.",
    )
    assert startup.post(url + "withdraw/").status_code == 409
    assert firm.post(url + "decline/").json()["error"]["code"] == "invalid_transition"

    second = startup.post("/api/pilots/", _body(world, connected), format="json").json()
    url = f"/api/pilots/{second['id']}/"
    assert startup.post(url + "decline/").status_code == 403
    response = firm.post(url + "decline/")  # no body: the reason is optional
    assert (response.status_code, response.json()["state"]) == (200, "declined")
    assert firm.post(url + "accept/").status_code == 409


def test_a_reason_that_is_not_text_is_a_field_error(world, client_for, proposed):
    response = client_for(world.enterprise_user).post(
        f"/api/pilots/{proposed.pk}/decline/", {"reason": 5}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_the_schema_documents_withdraw_and_decline_with_the_error_shape(client_for, world):
    schema = client_for(world.operator_user).get("/api/schema/?format=json").json()
    for name in ("withdraw", "decline"):
        operation = schema["paths"][f"/api/pilots/{{id}}/{name}/"]["post"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Pilot"
        }
        for status in ("403", "404", "409"):
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    states = schema["components"]["schemas"]["StateEnum"]["enum"]
    assert {"withdrawn", "declined"} <= set(states)


def test_the_decision_owner_is_handed_to_another_member(world, client_for, running):
    colleague = member_of(world.enterprise, role=Membership.Role.MEMBER)
    url = f"/api/pilots/{running.pk}/decision-owner/"
    body = {"decision_owner": colleague.pk}
    assert client_for(world.startup_user).post(url, body, format="json").status_code == 403
    assert client_for(world.other_enterprise_user).post(url, body, format="json").status_code == 404
    outsider = client_for(world.enterprise_user).post(
        url, {"decision_owner": world.startup_user.pk}, format="json"
    )
    assert outsider.status_code == 400
    assert "decision_owner" in outsider.json()["error"]["fields"]
    response = client_for(world.operator_user).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["decision_owner"]["id"] == colleague.pk
    decide = f"/api/pilots/{running.pk}/decide/"
    scale = {"decision": "scale", "reason": "Met."}
    assert client_for(world.enterprise_user).post(decide, scale, format="json").status_code == 403
    assert client_for(colleague).post(decide, scale, format="json").status_code == 200
    again = client_for(world.enterprise_user).post(url, body, format="json")
    assert again.status_code == 409
