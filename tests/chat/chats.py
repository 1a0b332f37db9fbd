"""Conversations to test with: a connected match and its people."""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import Organization, User
from backend.chat.models import Conversation
from backend.chat.services import conversation_open_for_match
from backend.matches.models import Match
from backend.startups.models import StartupProfile
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
    member_of,
)


@dataclass
class Chat:
    """A connected match and its conversation: `firm_user` and `startup_user` take part,
    `outsider` (another startup) does not, `operator` may read."""

    conversation: Conversation
    firm_user: User
    startup_user: User
    outsider: User
    operator: User


def open_conversation(enterprise: Organization, startup: Organization) -> Conversation:
    challenge = ChallengeFactory(accelerator=AcceleratorFactory(enterprise=enterprise))
    profile = StartupProfile.objects.filter(organization=startup).first() or StartupProfileFactory(
        organization=startup
    )
    match = Match.objects.create(
        challenge=challenge, startup=profile, score=0.8, rank=1, status=Match.Status.CONNECTED
    )
    return conversation_open_for_match(match=match)


def make_chat() -> Chat:
    enterprise = OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name="Acme Chips")
    startup = OrganizationFactory(kind=Organization.Kind.STARTUP, name="TinyML Labs")
    firm_user, startup_user = member_of(enterprise), member_of(startup)
    outsider = member_of(OrganizationFactory(kind=Organization.Kind.STARTUP, name="Other Labs"))
    operator = member_of(OrganizationFactory(kind=Organization.Kind.OPERATOR, name="Ops"))
    return Chat(open_conversation(enterprise, startup), firm_user, startup_user, outsider, operator)
