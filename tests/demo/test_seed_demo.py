"""`manage.py seed_demo` on an empty database, run twice: the market, and what followed it
(registrations, credentials, pilots, outcomes) that the operator's numbers and the district
report need; a second run adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from backend.accounts.models import Organization
from backend.common.credit_code import is_valid_credit_code
from backend.matches.models import Match
from backend.pilots.models import QUIET_DAYS, Outcome, Pilot
from backend.pilots.services import pilots_alert
from backend.reports.selectors import Period, report
from backend.startups.models import Credential

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    return {
        "matches": Match.objects.count(),
        "registered": Organization.objects.exclude(credit_code="").count(),
        "verified": Organization.objects.exclude(verified_at=None).count(),
        "credentials": Credential.objects.count(),
        "pilots": Pilot.objects.count(),
        "outcomes": Outcome.objects.count(),
    }


def test_the_demo_has_registrations_credentials_pilots_and_outcomes_once():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()

    codes = list(Organization.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    assert len(codes) > 200 and all(is_valid_credit_code(code) for code in codes)
    assert len(set(codes)) == len(codes)
    startups = Organization.objects.filter(kind="startup")
    assert startups.filter(credit_code="").exists()  # the report lists the missing ones
    assert startups.filter(verified_at=None).exclude(credit_code="").exists()
    assert startups.filter(registered_district=settings.DISTRICT_NAME).count() > 30
    assert not startups.exclude(credit_code="").filter(founded_on=None).exists()
    firms = Organization.objects.filter(kind="enterprise")
    assert firms.count() == firms.exclude(verified_at=None).count() == 3

    today = timezone.localdate()
    credentials = Credential.objects.all()
    assert credentials.exclude(verified_at=None).exists()
    assert credentials.filter(verified_at=None).exists()
    demo = Organization.objects.get(members__email="startup@demo.local")
    assert [c.is_expired(today) for c in demo.credentials.order_by("issued_on")] == [True, False]

    states = {(p.state, p.decision) for p in Pilot.objects.all()}
    assert {
        ("proposed", ""),
        ("running", ""),
        ("decided", "scale"),
        ("decided", "stop"),
        ("withdrawn", ""),
        ("declined", ""),
    } <= states
    assert not Pilot.objects.filter(state__in=["withdrawn", "declined"], closed_reason="").exists()
    assert Pilot.objects.filter(match__startup__organization=demo, state="running").exists()
    quiet = Pilot.objects.filter(
        state="running", last_activity_at__lte=timezone.now() - timedelta(days=QUIET_DAYS)
    )
    assert quiet.count() == 1
    assert Pilot.objects.get(decision="stop").lesson
    assert not Pilot.objects.filter(state="running", ends_on__lte=today).exists()
    assert Outcome.objects.exclude(confirmed_at=None).count() >= 2
    assert Outcome.objects.filter(confirmed_at=None).exists()
    assert Outcome.objects.filter(pilot=None).exists()

    numbers = report(Period(today - timedelta(days=365), today)).district
    assert numbers.gathered and numbers.grown
    assert all(numbers.pilots_by_state.values())
    assert [stage.count > 0 for stage in numbers.funnel] == [True] * 6
    assert pilots_alert() == 1  # the quiet pilot, once the server's hourly run comes

    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
