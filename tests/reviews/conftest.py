from __future__ import annotations

from dataclasses import dataclass

import pytest

from backend.accounts.models import Membership, User
from backend.accounts.selectors import actor_for
from backend.matches.models import Match
from backend.programs.models import Challenge
from backend.reviews import services
from backend.reviews.models import Criterion
from tests.factories import member_of


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The pages link static files, which have no hashed manifest without `collectstatic`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Review:
    """A match on the firm's challenge, a rubric (weights 3 and 1) and a second member."""

    challenge: Challenge
    match: Match
    colleague: User
    impact: Criterion
    fit: Criterion


@pytest.fixture
def review(world, challenge, profile) -> Review:
    match = Match.objects.create(challenge=challenge, startup=profile, score=0.9, rank=1)
    services.rubric_set(
        actor=actor_for(world.enterprise_user),
        challenge=challenge,
        criteria=[
            {"name": "Impact", "description": "Moves our numbers", "weight": 3},
            {"name": "Fit", "weight": 1},
        ],
    )
    impact, fit = challenge.rubric.criteria.all()
    colleague = member_of(world.enterprise, role=Membership.Role.MEMBER)
    return Review(challenge=challenge, match=match, colleague=colleague, impact=impact, fit=fit)
