"""Two tenants of each kind for the generated-request tests (`test_generated_requests.py`): the
browser tests' small platform (two firms, startups, one operator, matches, a conversation), a
running pilot and an outcome on its connected match, a second operator, and an API token for
each (printed as one JSON line)."""

from __future__ import annotations

import json

from tests.web import seed as web

SECOND_OPERATOR = "operator2@web.test"
# The two tenants of each kind, by the name the tests give them.
ACCOUNTS = {
    "enterprise": web.FIRM,
    "other_enterprise": web.FIRM2,
    "startup": web.STARTUP,
    "other_startup": web.UNMATCHED_STARTUP,
    "operator": web.OPERATOR,
    "other_operator": SECOND_OPERATOR,
}


def main() -> None:
    from rest_framework.authtoken.models import Token

    from backend.accounts.models import Organization, User
    from backend.accounts.services import user_create_with_organization

    web.seed()
    user_create_with_organization(
        email=SECOND_OPERATOR,
        password=web.PASSWORD,
        organization_name="District Programme Office",
        kind=Organization.Kind.OPERATOR,
        full_name="District Team",
        validate=False,
    )
    after_the_match()
    tokens = {
        role: Token.objects.get_or_create(user=User.objects.get(email=email))[0].key
        for role, email in ACCOUNTS.items()
    }
    print(json.dumps(tokens))


def after_the_match() -> None:
    """A running pilot with an update, and an outcome to confirm, on the connected match."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from backend.accounts.models import User
    from backend.accounts.selectors import actor_for
    from backend.matches.models import Match
    from backend.pilots import services as pilots

    match = Match.objects.get(status=Match.Status.CONNECTED, startup__name="GridSense Robotics")
    firm = actor_for(User.objects.get(email=web.FIRM))
    startup = actor_for(User.objects.get(memberships__organization=match.startup.organization))
    today = timezone.localdate()
    pilot = pilots.pilot_propose(
        actor=firm,
        match=match,
        question="Do the robots find hot spots before our sensors do?",
        success_criteria=["Finds 9 of 10 staged hot spots"],
        decision_owner=firm.user,
        starts_on=today,
        ends_on=today + timedelta(days=60),
        terms="paid",
        amount=Decimal("120000.00"),
        ip_terms="background_stays",
    )
    pilot = pilots.pilot_accept(actor=startup, pilot=pilot)
    pilots.pilot_post_update(actor=startup, pilot=pilot, text="Two robots installed.", on=today)
    pilots.outcome_record(
        actor=firm,
        match=match,
        kind="purchase_order",
        amount=Decimal("300000.00"),
        currency="CNY",
        on=today,
        pilot=pilot,
    )
