"""The rules of pilots and outcomes, service by service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backend.accounts.selectors import actor_for
from backend.chat.models import Message
from backend.chat.selectors import conversations_for
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.config.asgi import hourly_jobs
from backend.matches.models import Match
from backend.notifications.models import Notification
from backend.pilots import services
from backend.pilots.models import Outcome, Pilot
from tests.factories import ChallengeFactory, member_of
from tests.pilots.proposals import proposal

pytestmark = pytest.mark.django_db


def _actor(world, role: str):
    return actor_for(world.user(role))


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_either_party_proposes_a_pilot(world, connected, role):
    pilot = services.pilot_propose(actor=_actor(world, role), match=connected, **proposal(world))
    assert pilot.state == Pilot.State.PROPOSED
    assert pilot.proposed_side == role
    assert pilot.amount == Decimal("80000.00")


@pytest.mark.parametrize("role", ["other_enterprise", "other_startup", "operator"])
def test_only_the_parties_propose(world, connected, role):
    with pytest.raises(PermissionDeniedError):
        services.pilot_propose(actor=_actor(world, role), match=connected, **proposal(world))


@pytest.mark.parametrize("status", [Match.Status.PROPOSED, Match.Status.ENTERPRISE_INTERESTED])
def test_only_a_connected_match_has_a_pilot(world, connected, status):
    Match.objects.filter(pk=connected.pk).update(status=status)
    connected.refresh_from_db()
    with pytest.raises(InvalidTransitionError):
        services.pilot_propose(
            actor=_actor(world, "enterprise"), match=connected, **proposal(world)
        )


@pytest.mark.parametrize("criteria", [[], ["  "], ["a", "b", "c", "d"]])
def test_a_pilot_has_one_to_three_criteria(world, connected, criteria):
    with pytest.raises(ApplicationError) as caught:
        services.pilot_propose(
            actor=_actor(world, "startup"),
            match=connected,
            **proposal(world, success_criteria=criteria),
        )
    assert "success_criteria" in caught.value.fields


def test_three_criteria_are_enough(world, connected):
    pilot = services.pilot_propose(
        actor=_actor(world, "startup"),
        match=connected,
        **proposal(world, success_criteria=["a", "b", " c "]),
    )
    assert pilot.success_criteria == ["a", "b", "c"]


@pytest.mark.parametrize("days", [0, -1, 101])
def test_a_pilot_ends_within_a_hundred_days_of_its_start(world, connected, days):
    start = timezone.localdate()
    with pytest.raises(ApplicationError) as caught:
        services.pilot_propose(
            actor=_actor(world, "startup"),
            match=connected,
            **proposal(world, starts_on=start, ends_on=start + timedelta(days=days)),
        )
    assert "ends_on" in caught.value.fields


def test_the_longest_pilot_is_a_setting(world, connected, settings):
    start = timezone.localdate()
    pilot = services.pilot_propose(
        actor=_actor(world, "startup"),
        match=connected,
        **proposal(world, starts_on=start, ends_on=start + timedelta(days=100)),
    )
    assert pilot.pk
    settings.PILOT_MAX_DAYS = 30
    with pytest.raises(ApplicationError):
        services.pilot_propose(
            actor=_actor(world, "startup"),
            match=connected,
            **proposal(world, starts_on=start, ends_on=start + timedelta(days=31)),
        )


@pytest.mark.parametrize("owner", ["startup", "other_enterprise"])
def test_the_decision_owner_is_a_member_of_the_firm(world, connected, owner):
    with pytest.raises(ApplicationError) as caught:
        services.pilot_propose(
            actor=_actor(world, "startup"),
            match=connected,
            **proposal(world, decision_owner=world.user(owner)),
        )
    assert "decision_owner" in caught.value.fields


def test_terms_and_ip_terms_come_from_their_choices(world, connected):
    with pytest.raises(ValidationError):
        services.pilot_propose(
            actor=_actor(world, "startup"), match=connected, **proposal(world, ip_terms="mine")
        )


def test_the_other_party_hears_of_a_proposal(world, proposed):
    assert Notification.objects.filter(
        user=world.enterprise_user, kind="pilot.proposed", event__pilot=proposed.pk
    ).exists()


def test_the_other_party_accepts_and_the_pilot_runs(world, proposed):
    pilot = services.pilot_accept(actor=_actor(world, "enterprise"), pilot=proposed)
    assert pilot.state == Pilot.State.RUNNING
    assert pilot.accepted_by == world.enterprise_user
    assert pilot.last_activity_at == pilot.accepted_at


@pytest.mark.parametrize("role", ["startup", "other_enterprise", "operator"])
def test_the_proposer_or_an_outsider_cannot_accept(world, proposed, role):
    with pytest.raises(PermissionDeniedError):
        services.pilot_accept(actor=_actor(world, role), pilot=proposed)


def test_a_running_pilot_is_not_accepted_again(world, running):
    with pytest.raises(InvalidTransitionError):
        services.pilot_accept(actor=_actor(world, "enterprise"), pilot=running)


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_both_parties_post_dated_updates(world, running, role):
    yesterday = timezone.localdate() - timedelta(days=1)
    update = services.pilot_post_update(
        actor=_actor(world, role), pilot=running, text="Accuracy 96% on board A.", on=yesterday
    )
    assert (update.side, update.on) == (role, yesterday)


@pytest.mark.parametrize("role", ["other_startup", "operator"])
def test_only_the_parties_post_updates(world, running, role):
    with pytest.raises(PermissionDeniedError):
        services.pilot_post_update(
            actor=_actor(world, role), pilot=running, text="x", on=timezone.localdate()
        )


def test_an_update_needs_a_running_pilot(world, proposed):
    with pytest.raises(InvalidTransitionError):
        services.pilot_post_update(
            actor=_actor(world, "startup"), pilot=proposed, text="x", on=timezone.localdate()
        )


def test_an_update_is_not_dated_in_the_future(world, running):
    with pytest.raises(ApplicationError) as caught:
        services.pilot_post_update(
            actor=_actor(world, "startup"),
            pilot=running,
            text="x",
            on=timezone.localdate() + timedelta(days=1),
        )
    assert "on" in caught.value.fields


def test_the_decision_owner_scales_a_pilot(world, running):
    pilot = services.pilot_decide(
        actor=_actor(world, "enterprise"), pilot=running, decision="scale", reason="Met both."
    )
    assert (pilot.state, pilot.decision, pilot.decided_by) == (
        Pilot.State.DECIDED,
        "scale",
        world.enterprise_user,
    )


@pytest.mark.parametrize("who", ["colleague", "startup", "operator"])
def test_only_the_decision_owner_decides(world, running, colleague, who):
    user = colleague if who == "colleague" else world.user(who)
    with pytest.raises(PermissionDeniedError):
        services.pilot_decide(
            actor=actor_for(user), pilot=running, decision="scale", reason="Met both."
        )


def test_a_proposed_pilot_is_not_decided(world, proposed):
    with pytest.raises(InvalidTransitionError):
        services.pilot_decide(
            actor=_actor(world, "enterprise"), pilot=proposed, decision="scale", reason="x"
        )


def test_a_decided_pilot_is_not_decided_again(world, running):
    services.pilot_decide(
        actor=_actor(world, "enterprise"), pilot=running, decision="scale", reason="x"
    )
    with pytest.raises(InvalidTransitionError):
        services.pilot_decide(
            actor=_actor(world, "enterprise"), pilot=running, decision="stop", reason="x"
        )


def test_a_decision_says_why(world, running):
    with pytest.raises(ApplicationError) as caught:
        services.pilot_decide(
            actor=_actor(world, "enterprise"), pilot=running, decision="scale", reason="  "
        )
    assert "reason" in caught.value.fields


def test_stopping_needs_a_reason_code_and_a_lesson(world, running):
    with pytest.raises(ApplicationError) as caught:
        services.pilot_decide(
            actor=_actor(world, "enterprise"), pilot=running, decision="stop", reason="No."
        )
    assert set(caught.value.fields) == {"stop_reason", "lesson"}
    pilot = services.pilot_decide(
        actor=_actor(world, "enterprise"),
        pilot=running,
        decision="stop",
        reason="No.",
        stop_reason=Pilot.StopReason.COST,
        lesson="Board costs dominate.",
    )
    assert (pilot.state, pilot.stop_reason) == (Pilot.State.DECIDED, "cost")


def test_extending_moves_the_end_date_and_the_pilot_keeps_running(world, running):
    later = running.ends_on + timedelta(days=30)
    pilot = services.pilot_decide(
        actor=_actor(world, "enterprise"),
        pilot=running,
        decision="extend",
        reason="One more board.",
        new_ends_on=later,
    )
    assert (pilot.state, pilot.decision, pilot.ends_on) == (Pilot.State.RUNNING, "extend", later)
    assert Notification.objects.filter(kind="pilot.extended", user=world.startup_user).exists()


@pytest.mark.parametrize("days", [None, 0, -5, 101])
def test_an_extension_ends_later_within_the_limit(world, running, days):
    new_end = None if days is None else running.ends_on + timedelta(days=days)
    with pytest.raises(ApplicationError) as caught:
        services.pilot_decide(
            actor=_actor(world, "enterprise"),
            pilot=running,
            decision="extend",
            reason="More time.",
            new_ends_on=new_end,
        )
    assert "new_ends_on" in caught.value.fields


def _alerts(kind: str, pilot: Pilot) -> set[int]:
    return set(
        Notification.objects.filter(kind=kind, event__pilot=pilot.pk).values_list(
            "user_id", flat=True
        )
    )


def test_a_quiet_pilot_alerts_both_parties_and_operators_once_per_spell(world, running):
    everyone = {world.enterprise_user.pk, world.startup_user.pk, world.operator_user.pk}
    now = running.last_activity_at + timedelta(days=14)
    assert services.pilots_alert(now - timedelta(minutes=1)) == 0
    assert services.pilots_alert(now) == 1
    assert _alerts("pilot.quiet", running) == everyone
    assert services.pilots_alert(now + timedelta(days=3)) == 0

    services.pilot_post_update(
        actor=_actor(world, "startup"), pilot=running, text="Back on.", on=timezone.localdate()
    )
    running.refresh_from_db()
    assert services.pilots_alert(running.last_activity_at + timedelta(days=13)) == 0
    assert services.pilots_alert(running.last_activity_at + timedelta(days=14)) == 1


def test_a_pilot_at_its_end_date_alerts_that_a_decision_is_due(world, running):
    end = timezone.make_aware(
        timezone.datetime.combine(running.ends_on, timezone.datetime.min.time())
    ) + timedelta(hours=12)
    Pilot.objects.filter(pk=running.pk).update(last_activity_at=end)
    assert services.pilots_alert(end - timedelta(days=1)) == 0
    assert services.pilots_alert(end) == 1
    assert world.operator_user.pk in _alerts("pilot.due", running)
    assert services.pilots_alert(end + timedelta(hours=1)) == 0


def test_an_extended_pilot_is_due_again_at_its_new_end(world, running):
    Pilot.objects.filter(pk=running.pk).update(due_alerted_for=running.ends_on)
    later = running.ends_on + timedelta(days=10)
    services.pilot_decide(
        actor=_actor(world, "enterprise"),
        pilot=running,
        decision="extend",
        reason="More time.",
        new_ends_on=later,
    )
    Pilot.objects.filter(pk=running.pk).update(
        last_activity_at=timezone.now() + timedelta(days=200)
    )
    at_new_end = timezone.make_aware(
        timezone.datetime.combine(later, timezone.datetime.min.time())
    ) + timedelta(hours=1)
    assert services.pilots_alert(at_new_end - timedelta(days=1)) == 0
    assert services.pilots_alert(at_new_end) == 1


def test_a_decided_pilot_alerts_nobody(world, running):
    services.pilot_decide(
        actor=_actor(world, "enterprise"), pilot=running, decision="scale", reason="x"
    )
    assert services.pilots_alert(timezone.now() + timedelta(days=365)) == 0


def _record(world, match, role="startup", **changes) -> Outcome:
    values = {
        "kind": Outcome.Kind.TECH_DEVELOPMENT,
        "amount": Decimal("500000.00"),
        "currency": "CNY",
        "on": timezone.localdate(),
        **changes,
    }
    return services.outcome_record(actor=_actor(world, role), match=match, **values)


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_either_party_records_an_outcome_unconfirmed(world, connected, role):
    outcome = _record(world, connected, role)
    assert (outcome.recorded_side, outcome.confirmed_at) == (role, None)


@pytest.mark.parametrize("role", ["other_enterprise", "operator"])
def test_only_the_parties_record_outcomes(world, connected, role):
    with pytest.raises(PermissionDeniedError):
        _record(world, connected, role)


def test_an_outcome_needs_a_connected_match(world, connected):
    Match.objects.filter(pk=connected.pk).update(status=Match.Status.STARTUP_INTERESTED)
    connected.refresh_from_db()
    with pytest.raises(InvalidTransitionError):
        _record(world, connected)


def test_an_outcome_names_a_pilot_of_its_own_match(world, connected, running, accelerator):
    other = Match.objects.create(
        challenge=ChallengeFactory(accelerator=accelerator),
        startup=connected.startup,
        status=Match.Status.CONNECTED,
    )
    with pytest.raises(ApplicationError) as caught:
        _record(world, other, pilot=running)
    assert "pilot" in caught.value.fields
    assert _record(world, connected, pilot=running).pilot == running


def test_the_other_party_confirms_an_outcome_once(world, connected):
    outcome = _record(world, connected, "startup")
    confirmed = services.outcome_confirm(actor=_actor(world, "enterprise"), outcome=outcome)
    assert confirmed.confirmed_by == world.enterprise_user
    with pytest.raises(InvalidTransitionError):
        services.outcome_confirm(actor=_actor(world, "enterprise"), outcome=outcome)


@pytest.mark.parametrize("role", ["startup", "other_enterprise", "operator"])
def test_the_recorder_or_an_outsider_cannot_confirm(world, connected, role):
    outcome = _record(world, connected, "startup")
    with pytest.raises(PermissionDeniedError):
        services.outcome_confirm(actor=_actor(world, role), outcome=outcome)


def test_the_embedded_servers_hourly_run_alerts_quiet_pilots(world, running):
    """The server's hourly loop, given its jobs where the server is put together, runs them."""
    Pilot.objects.filter(pk=running.pk).update(last_activity_at=timezone.now() - timedelta(days=15))
    hourly_jobs.run_once()
    assert world.operator_user.pk in _alerts("pilot.quiet", running)


def test_a_pilots_notification_reads_and_links_to_its_conversation(world, proposed):
    from django.utils import translation

    from backend.notifications.texts import describe, event_path

    event = Notification.objects.get(user=world.enterprise_user, kind="pilot.proposed").event
    path = f"/conversations/{proposed.match.conversation.pk}/"
    assert event_path(event, for_startup=False) == path
    with translation.override("zh-hans"):
        assert (
            describe(event) == f"有新的试点提议：TinyML Labs 与“{proposed.match.challenge.title}”"
        )


def test_the_proposer_withdraws_a_proposal_with_a_reason(world, proposed):
    pilot = services.pilot_withdraw(
        actor=_actor(world, "startup"), pilot=proposed, reason="  Our board supply slipped. "
    )
    assert (pilot.state, pilot.closed_by, pilot.closed_reason) == (
        Pilot.State.WITHDRAWN,
        world.startup_user,
        "Our board supply slipped.",
    )
    assert pilot.closed_at is not None
    assert Notification.objects.filter(
        user=world.enterprise_user, kind="pilot.withdrawn", event__pilot=proposed.pk
    ).exists()


def test_the_other_party_declines_a_proposal_without_a_reason(world, proposed):
    pilot = services.pilot_decline(actor=_actor(world, "enterprise"), pilot=proposed)
    assert (pilot.state, pilot.closed_by, pilot.closed_reason) == (
        Pilot.State.DECLINED,
        world.enterprise_user,
        "",
    )
    assert Notification.objects.filter(
        user=world.startup_user, kind="pilot.declined", event__pilot=proposed.pk
    ).exists()
    with pytest.raises(InvalidTransitionError):
        services.pilot_accept(actor=_actor(world, "enterprise"), pilot=proposed)


@pytest.mark.parametrize(
    "service, role",
    [
        *(("withdraw", role) for role in ("enterprise", "other_startup", "operator")),
        *(("decline", role) for role in ("startup", "other_enterprise", "operator")),
    ],
)
def test_only_the_proposer_withdraws_and_only_the_other_party_declines(
    world, proposed, service, role
):
    with pytest.raises(PermissionDeniedError):
        getattr(services, f"pilot_{service}")(actor=_actor(world, role), pilot=proposed)
    proposed.refresh_from_db()
    assert proposed.state == Pilot.State.PROPOSED


def test_a_colleague_of_the_proposer_withdraws_for_the_same_side(world, proposed):
    """A side acts as one: any member of the proposing organisation may take it back."""
    partner = member_of(world.startup)
    assert services.pilot_withdraw(actor=actor_for(partner), pilot=proposed).state == "withdrawn"


@pytest.mark.parametrize("service, role", [("withdraw", "startup"), ("decline", "enterprise")])
def test_a_running_pilot_is_neither_withdrawn_nor_declined(world, running, service, role):
    with pytest.raises(InvalidTransitionError):
        getattr(services, f"pilot_{service}")(actor=_actor(world, role), pilot=running)
    running.refresh_from_db()
    assert running.state == Pilot.State.RUNNING


@pytest.mark.parametrize("first", ["withdraw", "decline"])
def test_a_closed_proposal_is_closed_once(world, proposed, first):
    if first == "withdraw":
        services.pilot_withdraw(actor=_actor(world, "startup"), pilot=proposed)
    else:
        services.pilot_decline(actor=_actor(world, "enterprise"), pilot=proposed)
    with pytest.raises(InvalidTransitionError):
        services.pilot_withdraw(actor=_actor(world, "startup"), pilot=proposed)
    with pytest.raises(InvalidTransitionError):
        services.pilot_decline(actor=_actor(world, "enterprise"), pilot=proposed)


def test_a_reason_is_at_most_the_texts_length(world, proposed):
    with pytest.raises(ValidationError):
        services.pilot_decline(actor=_actor(world, "enterprise"), pilot=proposed, reason="x" * 2001)


@pytest.mark.parametrize("who", ["enterprise", "colleague", "operator"])
def test_the_firm_or_an_operator_hands_the_decision_to_another_member(
    world, running, colleague, who
):
    actor = actor_for(colleague if who == "colleague" else world.user(who))
    pilot = services.pilot_reassign_owner(actor=actor, pilot=running, decision_owner=colleague)
    assert pilot.decision_owner == colleague
    assert Notification.objects.filter(
        user=world.startup_user, kind="pilot.owner_changed", event__decision_owner=colleague.pk
    ).exists()
    with pytest.raises(PermissionDeniedError):
        services.pilot_decide(
            actor=_actor(world, "enterprise"), pilot=running, decision="scale", reason="x"
        )
    decided = services.pilot_decide(
        actor=actor_for(colleague), pilot=running, decision="scale", reason="Met."
    )
    assert decided.decided_by == colleague


def test_a_proposed_pilot_changes_its_owner_too(world, proposed, colleague):
    pilot = services.pilot_reassign_owner(
        actor=_actor(world, "enterprise"), pilot=proposed, decision_owner=colleague
    )
    assert pilot.decision_owner == colleague


@pytest.mark.parametrize("role", ["startup", "other_enterprise", "other_startup"])
def test_only_the_firm_or_an_operator_changes_the_owner(world, running, colleague, role):
    with pytest.raises(PermissionDeniedError):
        services.pilot_reassign_owner(
            actor=_actor(world, role), pilot=running, decision_owner=colleague
        )
    running.refresh_from_db()
    assert running.decision_owner == world.enterprise_user


@pytest.mark.parametrize("owner", ["startup", "other_enterprise", "inactive"])
def test_the_new_owner_is_an_active_member_of_the_firm(world, running, colleague, owner):
    if owner == "inactive":
        colleague.is_active = False
        colleague.save()
        new_owner = colleague
    else:
        new_owner = world.user(owner)
    with pytest.raises(ApplicationError) as caught:
        services.pilot_reassign_owner(
            actor=_actor(world, "enterprise"), pilot=running, decision_owner=new_owner
        )
    assert "decision_owner" in caught.value.fields


@pytest.mark.parametrize("end", ["decide", "decline"])
def test_a_pilot_no_longer_to_be_decided_keeps_its_owner(world, proposed, colleague, end):
    if end == "decide":
        services.pilot_accept(actor=_actor(world, "enterprise"), pilot=proposed)
        services.pilot_decide(
            actor=_actor(world, "enterprise"), pilot=proposed, decision="scale", reason="x"
        )
    else:
        services.pilot_decline(actor=_actor(world, "enterprise"), pilot=proposed)
    with pytest.raises(InvalidTransitionError):
        services.pilot_reassign_owner(
            actor=_actor(world, "operator"), pilot=proposed, decision_owner=colleague
        )


def test_handing_the_decision_to_its_owner_changes_nothing(world, running):
    services.pilot_reassign_owner(
        actor=_actor(world, "enterprise"), pilot=running, decision_owner=world.enterprise_user
    )
    assert not Notification.objects.filter(kind="pilot.owner_changed").exists()


def test_each_step_of_a_pilot_is_recorded_in_the_conversation_by_who_took_it(world, running):
    services.pilot_post_update(
        actor=actor_for(world.startup_user), pilot=running, text="Week 1", on=timezone.localdate()
    )
    conversation = running.match.conversation
    steps = list(conversation.messages.order_by("seq"))
    assert [(m.seq, m.kind, m.event["type"], m.sender) for m in steps] == [
        (1, Message.Kind.EVENT, "pilot.proposed", world.startup_user),
        (2, Message.Kind.EVENT, "pilot.accepted", world.enterprise_user),
        (3, Message.Kind.EVENT, "pilot.updated", world.startup_user),
    ]
    assert {m.event["pilot"] for m in steps} == {running.pk}
    assert all(m.body == "" for m in steps)
    conversation.refresh_from_db()
    assert conversation.last_seq == 3
    # Who took a step has read up to it; the other side has it unread.
    assert conversations_for(actor_for(world.enterprise_user)).get().unread_count == 1
