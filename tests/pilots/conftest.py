from __future__ import annotations

import pytest

from backend.accounts.models import Membership
from backend.accounts.selectors import actor_for
from backend.chat.services import conversation_open_for_match
from backend.matches.models import Match
from backend.pilots import services
from backend.pilots.models import Pilot
from tests.factories import member_of
from tests.pilots.proposals import proposal


@pytest.fixture
def connected(world, challenge, profile) -> Match:
    match = Match.objects.create(
        challenge=challenge, startup=profile, score=0.8, rank=1, status=Match.Status.CONNECTED
    )
    conversation_open_for_match(match=match)
    return match


@pytest.fixture
def colleague(world):
    """A second member of the firm, who is not the pilot's decision owner."""
    return member_of(world.enterprise, role=Membership.Role.MEMBER)


@pytest.fixture
def proposed(world, connected) -> Pilot:
    """Proposed by the startup, so the firm accepts it."""
    return services.pilot_propose(
        actor=actor_for(world.startup_user), match=connected, **proposal(world)
    )


@pytest.fixture
def running(world, proposed) -> Pilot:
    return services.pilot_accept(actor=actor_for(world.enterprise_user), pilot=proposed)
