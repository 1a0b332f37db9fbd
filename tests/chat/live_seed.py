"""Seeds a server's own database with connected matches and prints how to sign in as each side.

Run inside the server's environment: `manage.py shell -c "from tests.chat.live_seed import
main; main(3)"`. Each conversation is opened the real way: both sides say interested.
"""

from __future__ import annotations

import json

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token

from backend.accounts.models import Membership, Organization, User
from backend.accounts.selectors import actor_for
from backend.matches.models import Match
from backend.matches.services import match_express_interest
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
)


def member_of(organization: Organization) -> User:
    """A member who signs in by session or token only: no password to hash, so seeding
    a thousand of them takes seconds."""
    user = User.objects.create_user(
        f"{organization.kind}-{organization.pk}@example.test", full_name=f"{organization.name} user"
    )
    Membership.objects.create(user=user, organization=organization)
    return user


def credentials(user: User) -> dict:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "user": user.pk,
        "session": session.session_key,
        "token": Token.objects.create(user=user).key,
    }


def main(conversations: int) -> None:
    seeded = []
    for i in range(conversations):
        enterprise = OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name=f"Firm {i}")
        startup = OrganizationFactory(kind=Organization.Kind.STARTUP, name=f"Startup {i}")
        firm_user, startup_user = member_of(enterprise), member_of(startup)
        match = Match.objects.create(
            challenge=ChallengeFactory(accelerator=AcceleratorFactory(enterprise=enterprise)),
            startup=StartupProfileFactory(organization=startup),
            score=0.5,
            rank=1,
        )
        for user in (firm_user, startup_user):
            match_express_interest(match=match, actor=actor_for(user))
        seeded.append(
            {
                "id": Match.objects.get(pk=match.pk).conversation.pk,
                "firm": credentials(firm_user),
                "startup": credentials(startup_user),
            }
        )
    outsider = member_of(OrganizationFactory(kind=Organization.Kind.STARTUP, name="Outsider"))
    print(json.dumps({"conversations": seeded, "outsider": credentials(outsider)}))
