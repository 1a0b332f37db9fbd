"""The interest lifecycle of a match."""

from __future__ import annotations

import pytest

from backend.accounts.selectors import actor_for
from backend.common.errors import InvalidTransitionError, PermissionDeniedError
from backend.matches import services
from backend.matches.models import Match
from backend.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_interest_from_both_sides_connects_and_repeats_are_harmless(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    firm, startup = actor_for(world.enterprise_user), actor_for(world.startup_user)
    assert services.match_express_interest(match=match, actor=firm).status == (
        Match.Status.ENTERPRISE_INTERESTED
    )
    assert services.match_express_interest(match=match, actor=firm).status == (
        Match.Status.ENTERPRISE_INTERESTED
    )
    connected = services.match_express_interest(match=match, actor=startup)
    assert connected.status == Match.Status.CONNECTED
    assert connected.connected_at is not None
    with pytest.raises(InvalidTransitionError):
        services.match_decline(match=match, actor=firm, reason_code="timing")


def test_strangers_cannot_answer_a_match(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    for user in (world.other_enterprise_user, world.other_startup_user, world.operator_user):
        with pytest.raises(PermissionDeniedError):
            services.match_express_interest(match=match, actor=actor_for(user))


def test_a_declined_match_cannot_become_interested(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    services.match_decline(
        match=match, actor=actor_for(world.enterprise_user), reason_code="not_a_fit"
    )
    with pytest.raises(InvalidTransitionError):
        services.match_express_interest(match=match, actor=actor_for(world.startup_user))


def test_each_answer_tells_both_sides_who_gave_it(world, challenge, profile):
    """The actor's id rides on the event, so the actor's own pages update without announcing
    what they just did; the other side (and the actor's colleagues) hear of it."""
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    firm, startup = actor_for(world.enterprise_user), actor_for(world.startup_user)
    services.match_express_interest(match=match, actor=firm)
    services.match_express_interest(match=match, actor=startup)
    events = {
        (n.user_id, n.kind): n.event["by"]
        for n in Notification.objects.filter(kind__startswith="match.")
    }
    for user in (world.enterprise_user, world.startup_user):
        assert events[(user.pk, "match.interest")] == world.enterprise_user.pk
        assert events[(user.pk, "match.connected")] == world.startup_user.pk
