"""Two tenants of each kind for the generated-request tests (`test_generated_requests.py`): the
browser tests' small platform (two firms, startups, one operator, matches, a conversation), a
second operator, and an API token for each (printed as one JSON line)."""

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
    tokens = {
        role: Token.objects.get_or_create(user=User.objects.get(email=email))[0].key
        for role, email in ACCOUNTS.items()
    }
    print(json.dumps(tokens))
