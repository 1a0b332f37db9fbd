"""A hand-built district for the first half of 2026: two accelerators, five startups, matches at
every funnel stage, pilots in each state and outcomes confirmed or not, with dates inside and
outside the period. The expected numbers are worked out in the tests from these dates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.accounts.models import Organization
from backend.matches.models import Match
from backend.pilots.models import Outcome, Pilot
from backend.programs.models import Accelerator, CohortMembership
from backend.startups.models import Credential
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    OrganizationFactory,
    StartupProfileFactory,
)
from tests.reports.dates import at


@dataclass
class District:
    first: Accelerator
    second: Accelerator
    startups: dict[str, Organization]
    matches: dict[str, Match]
    outcomes: dict[str, Outcome]


def _startup(name: str, district: str, code: str) -> Organization:
    profile = StartupProfileFactory(
        organization=OrganizationFactory(
            kind=Organization.Kind.STARTUP,
            name=name,
            registered_district=district,
            credit_code=code,
        )
    )
    return profile.organization


def _match(challenge, startup: Organization, created, **stamps) -> Match:
    match = Match.objects.create(challenge=challenge, startup=startup.startup_profile, score=0.5)
    Match.objects.filter(pk=match.pk).update(created_at=created, **stamps)
    match.refresh_from_db()
    return match


def _pilot(match: Match, owner, created, **fields) -> Pilot:
    pilot = Pilot.objects.create(
        match=match,
        question="Does it hold on our boards?",
        success_criteria=["Accuracy at least 95%"],
        decision_owner=owner,
        starts_on=created.date(),
        ends_on=created.date() + datetime.timedelta(days=90),
        terms=Pilot.Terms.PAID,
        amount=Decimal("80000"),
        ip_terms=Pilot.IpTerms.BACKGROUND_STAYS,
        proposed_side=Match.Side.STARTUP,
        **fields,
    )
    Pilot.objects.filter(pk=pilot.pk).update(created_at=created)
    return pilot


def _outcome(match: Match, kind, amount: str, currency: str, day, confirmed_at=None) -> Outcome:
    return Outcome.objects.create(
        match=match,
        kind=kind,
        amount=Decimal(amount),
        currency=currency,
        date=day,
        recorded_side=Match.Side.STARTUP,
        confirmed_at=confirmed_at,
    )


@pytest.fixture
def district(world) -> District:
    first = AcceleratorFactory(enterprise=world.enterprise, name="Chips Open Innovation")
    second = AcceleratorFactory(enterprise=world.other_enterprise, name="Zhangjiang Lab")
    first_challenge = ChallengeFactory(accelerator=first)
    second_challenge = ChallengeFactory(accelerator=second)
    startups = {
        "s1": _startup("Jing'an Vision", "静安区", "91310106MA1FY0001X"),
        "s2": _startup("Pudong Robotics", "浦东新区", "91310115MA1FY0002X"),
        "s3": _startup("Unregistered Labs", "静安区", ""),
        "s4": _startup("Early Bird", "静安区", "91310106MA1FY0004X"),
        "s5": _startup("Cohort Only", "静安区", "91310106MA1FY0005X"),
    }
    s1, s2, s3, s4, s5 = startups.values()
    matches = {
        # Every stage: interest after 2 days, connected 8 later, pilot 10, decided 39, outcome 10.
        "m1": _match(
            first_challenge,
            s1,
            at(2, 1),
            startup_interested_at=at(2, 3),
            enterprise_interested_at=at(2, 5),
            connected_at=at(2, 11),
            status=Match.Status.CONNECTED,
        ),
        "m2": _match(
            first_challenge,
            s2,
            at(3, 1),
            enterprise_interested_at=at(3, 5),
            connected_at=at(3, 9),
            status=Match.Status.CONNECTED,
        ),
        "m3": _match(first_challenge, s3, at(3, 10)),
        "m4": _match(second_challenge, s1, at(5, 1)),
        "m5": _match(
            first_challenge,
            s4,
            at(11, 1, 2025),
            connected_at=at(11, 20, 2025),
            status=Match.Status.CONNECTED,
        ),
        "m6": _match(second_challenge, s2, at(8, 1)),
    }
    CohortMembership.objects.filter(
        pk=CohortMembership.objects.create(cohort=CohortFactory(accelerator=first), startup=s5).pk
    ).update(created_at=at(4, 1))
    owner = world.enterprise_user
    _pilot(
        matches["m1"],
        owner,
        at(2, 15),
        state=Pilot.State.DECIDED,
        accepted_at=at(2, 21),
        decided_at=at(4, 1),
        decision=Pilot.Decision.SCALE,
    )
    _pilot(matches["m2"], owner, at(4, 1))
    _pilot(
        matches["m5"],
        owner,
        at(6, 1),
        state=Pilot.State.RUNNING,
        accepted_at=timezone.now() - datetime.timedelta(days=40),
    )
    for startup, kind, issued, verified_at in [
        (s1, Credential.Kind.HIGH_TECH, datetime.date(2026, 3, 1), at(3, 2)),
        (s2, Credential.Kind.TECH_SME, datetime.date(2026, 2, 15), None),
        (s4, Credential.Kind.SPECIALISED_SME, datetime.date(2026, 1, 10), None),
        (s3, Credential.Kind.TECH_SME, datetime.date(2025, 12, 1), None),
    ]:
        Credential.objects.create(
            organization=startup,
            kind=kind,
            certificate_number=f"GR{startup.pk}",
            issued_on=issued,
            verified_at=verified_at,
        )
    kinds = Outcome.Kind
    outcomes = {
        "o1": _outcome(
            matches["m1"], kinds.TECH_DEVELOPMENT, "500000", "CNY", at(4, 10).date(), at(4, 11)
        ),
        "o2": _outcome(matches["m2"], kinds.PURCHASE_ORDER, "120000", "CNY", at(5, 20).date()),
        "o3": _outcome(matches["m5"], kinds.INVESTMENT, "100000", "USD", at(6, 1).date(), at(6, 2)),
        "o4": _outcome(matches["m1"], kinds.OTHER, "999", "CNY", at(7, 15).date(), at(7, 16)),
    }
    return District(first, second, startups, matches, outcomes)
