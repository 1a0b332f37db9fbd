from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from backend.accounts.models import Membership
from backend.accounts.selectors import actor_for
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.common.models import DocumentChange
from backend.programs import services
from backend.programs.models import Accelerator, Challenge, CohortMembership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
    OrganizationFactory,
    member_of,
)

pytestmark = pytest.mark.django_db
S = CohortMembership.Status


@pytest.mark.parametrize(
    ("start", "service", "end"),
    [
        ("draft", services.challenge_publish, "open"),
        ("open", services.challenge_close, "closed"),
        ("closed", services.challenge_publish, "open"),
        ("closed", services.challenge_archive, "archived"),
        ("draft", services.challenge_archive, "archived"),
    ],
)
def test_allowed_challenge_transitions(world, accelerator, start, service, end):
    challenge = ChallengeFactory(accelerator=accelerator, status=start, published_at=None)
    assert service(actor=actor_for(world.enterprise_user), challenge=challenge).status == end


@pytest.mark.parametrize(
    ("start", "service"),
    [
        ("open", services.challenge_publish),
        ("open", services.challenge_archive),
        ("draft", services.challenge_close),
        ("archived", services.challenge_publish),
        ("archived", services.challenge_close),
    ],
)
def test_forbidden_challenge_transitions(world, accelerator, start, service):
    challenge = ChallengeFactory(accelerator=accelerator, status=start)
    with pytest.raises(InvalidTransitionError):
        service(actor=actor_for(world.enterprise_user), challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.status == start


def test_publishing_stamps_the_first_publication_only(world, accelerator):
    challenge = ChallengeFactory(accelerator=accelerator, status="draft", published_at=None)
    firm = actor_for(world.enterprise_user)
    first = services.challenge_publish(actor=firm, challenge=challenge).published_at
    services.challenge_close(actor=firm, challenge=challenge)
    again = services.challenge_publish(actor=firm, challenge=challenge)
    assert first is not None and again.published_at == first


def test_a_paused_accelerator_cannot_publish(world):
    accelerator = AcceleratorFactory(enterprise=world.enterprise, status=Accelerator.Status.PAUSED)
    challenge = ChallengeFactory(accelerator=accelerator, status="draft", published_at=None)
    with pytest.raises(InvalidTransitionError):
        services.challenge_publish(actor=actor_for(world.enterprise_user), challenge=challenge)


def test_challenges_go_only_under_ones_own_accelerator(world):
    foreign = AcceleratorFactory(enterprise=world.other_enterprise)
    with pytest.raises(PermissionDeniedError):
        services.challenge_create(
            actor=actor_for(world.enterprise_user),
            data={"accelerator": foreign, "title": "t", "problem_statement": "p"},
        )


# Every write to a programme or challenge checks its actor itself: only the firm that runs the
# accelerator. Each case: the challenge's starting status, and the write.
FIRM_WRITES = {
    "accelerator_update": (
        "open",
        lambda actor, challenge: services.accelerator_update(
            actor=actor, accelerator=challenge.accelerator, data={"name": "Renamed"}
        ),
    ),
    "challenge_update": (
        "open",
        lambda actor, challenge: services.challenge_update(
            actor=actor, challenge=challenge, data={"title": "Renamed"}
        ),
    ),
    "challenge_publish": (
        "draft",
        lambda actor, challenge: services.challenge_publish(actor=actor, challenge=challenge),
    ),
    "challenge_close": (
        "open",
        lambda actor, challenge: services.challenge_close(actor=actor, challenge=challenge),
    ),
    "challenge_archive": (
        "draft",
        lambda actor, challenge: services.challenge_archive(actor=actor, challenge=challenge),
    ),
}


def _stored(challenge: Challenge) -> tuple[dict, dict, int]:
    return (
        Challenge.objects.values().get(pk=challenge.pk),
        Accelerator.objects.values().get(pk=challenge.accelerator_id),
        DocumentChange.objects.count(),
    )


def challenge_in(accelerator, status: str):
    """A challenge of the accelerator in ``status``, published unless it is a draft."""
    return ChallengeFactory(
        accelerator=accelerator,
        status=status,
        published_at=None if status == "draft" else timezone.now(),
    )


@pytest.mark.parametrize("stranger", ["other_enterprise", "startup", "operator"])
@pytest.mark.parametrize("write", FIRM_WRITES)
def test_only_the_firm_running_the_accelerator_may_write(world, accelerator, write, stranger):
    start, call = FIRM_WRITES[write]
    challenge = challenge_in(accelerator, start)
    before = _stored(challenge)
    with pytest.raises(PermissionDeniedError):
        call(actor_for(world.user(stranger)), challenge)
    assert _stored(challenge) == before


@pytest.mark.parametrize("write", FIRM_WRITES)
def test_any_member_of_the_running_firm_may_write(world, accelerator, write):
    start, call = FIRM_WRITES[write]
    challenge = ChallengeFactory(
        accelerator=accelerator,
        status=start,
        published_at=None if start == "draft" else timezone.now(),
        created_by=world.enterprise_user,
    )
    before = _stored(challenge)
    call(actor_for(member_of(world.enterprise, role=Membership.Role.MEMBER)), challenge)
    assert _stored(challenge) != before


def test_publishing_and_closing_record_who_and_when(world, accelerator):
    publisher, closer = member_of(world.enterprise), member_of(world.enterprise)
    challenge = ChallengeFactory(accelerator=accelerator, status="draft", published_at=None)

    published = services.challenge_publish(actor=actor_for(publisher), challenge=challenge)
    assert published.published_by == publisher and published.published_at is not None
    assert published.closed_by is None and published.closed_at is None

    closed = services.challenge_close(actor=actor_for(closer), challenge=challenge)
    closed.refresh_from_db()
    assert closed.closed_by == closer and closed.closed_at is not None
    assert closed.published_by == publisher and closed.published_at == published.published_at


def test_reopening_keeps_the_first_publisher_and_the_last_closure(world, accelerator):
    first, second = member_of(world.enterprise), member_of(world.enterprise)
    challenge = ChallengeFactory(accelerator=accelerator, status="draft", published_at=None)
    published = services.challenge_publish(actor=actor_for(first), challenge=challenge)
    closed = services.challenge_close(actor=actor_for(second), challenge=challenge)

    reopened = services.challenge_publish(actor=actor_for(second), challenge=challenge)
    reopened.refresh_from_db()
    assert reopened.status == Challenge.Status.OPEN
    assert (reopened.published_by, reopened.published_at) == (first, published.published_at)
    assert (reopened.closed_by, reopened.closed_at) == (second, closed.closed_at)


def test_a_stranger_learns_nothing_from_the_challenges_state(world):
    """Refused before any state check: a paused programme or an archived challenge reads the
    same to a stranger as any other."""
    paused = AcceleratorFactory(enterprise=world.enterprise, status=Accelerator.Status.PAUSED)
    stranger = actor_for(world.other_enterprise_user)
    draft = ChallengeFactory(accelerator=paused, status="draft", published_at=None)
    archived = ChallengeFactory(accelerator=paused, status="archived")
    with pytest.raises(PermissionDeniedError):
        services.challenge_publish(actor=stranger, challenge=draft)
    with pytest.raises(PermissionDeniedError):
        services.challenge_close(actor=stranger, challenge=archived)
    with pytest.raises(PermissionDeniedError):
        services.challenge_update(actor=stranger, challenge=archived, data={"title": "New"})


@pytest.mark.parametrize("write", FIRM_WRITES)
def test_the_owner_is_read_from_the_stored_row_not_the_callers_copy(world, accelerator, write):
    start, call = FIRM_WRITES[write]
    challenge = challenge_in(accelerator, start)
    before = _stored(challenge)
    # The caller's copy says the stranger runs the programme; the stored rows say otherwise.
    accelerator.enterprise = world.other_enterprise
    assert challenge.accelerator is accelerator
    with pytest.raises(PermissionDeniedError):
        call(actor_for(world.other_enterprise_user), challenge)
    assert _stored(challenge)[0] == before[0]
    assert Accelerator.objects.values().get(pk=accelerator.pk) == before[1]


def test_cohort_journey_shortlist_invite_accept(world):
    cohort = CohortFactory(capacity=1)
    operator, startup = actor_for(world.operator_user), actor_for(world.startup_user)
    membership = services.cohort_member_add(actor=operator, cohort=cohort, startup=world.startup)
    assert membership.status == S.SHORTLISTED
    membership = services.cohort_member_update(
        actor=operator, membership=membership, status=S.INVITED
    )
    assert membership.decided_by == world.operator_user
    membership = services.cohort_member_update(
        actor=startup, membership=membership, status=S.ACCEPTED
    )
    assert membership.status == S.ACCEPTED and membership.decided_by == world.startup_user


def test_capacity_is_enforced_on_accept(world):
    cohort = CohortFactory(capacity=1)
    CohortMembershipFactory(cohort=cohort, status=S.ACCEPTED)
    invited = CohortMembershipFactory(cohort=cohort, startup=world.startup, status=S.INVITED)
    with pytest.raises(ApplicationError) as error:
        services.cohort_member_update(
            actor=actor_for(world.startup_user), membership=invited, status=S.ACCEPTED
        )
    assert error.value.code == "cohort_full"
    invited.refresh_from_db()
    assert invited.status == S.INVITED


def test_capacity_cannot_drop_below_the_accepted_members(world):
    cohort = CohortFactory(capacity=3)
    CohortMembershipFactory.create_batch(2, cohort=cohort, status=S.ACCEPTED)
    CohortMembershipFactory(cohort=cohort, status=S.INVITED)
    operator = actor_for(world.operator_user)
    with pytest.raises(ApplicationError) as error:
        services.cohort_update(actor=operator, cohort=cohort, data={"capacity": 1})
    assert error.value.status_code == 400
    assert "at least 2," in error.value.fields["capacity"][0]
    cohort.refresh_from_db()
    assert cohort.capacity == 3
    # Down to exactly the accepted members is fine; edits without a capacity are unaffected.
    assert services.cohort_update(actor=operator, cohort=cohort, data={"capacity": 2}).capacity == 2
    assert services.cohort_update(actor=operator, cohort=cohort, data={"name": "B"}).name == "B"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_accepts_cannot_both_take_the_last_place(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers by itself; the row lock matters on PostgreSQL")
    cohort = CohortFactory(capacity=1)
    others = [OrganizationFactory(kind="startup") for _ in range(2)]
    users = [world.startup_user, world.other_startup_user]
    for org, user in zip(others, users, strict=True):
        user.memberships.update(organization=org)
    memberships = [
        CohortMembershipFactory(cohort=cohort, startup=org, status=S.INVITED) for org in others
    ]
    outcomes: list[str] = []

    def accept(user, membership):
        try:
            services.cohort_member_update(
                actor=actor_for(user), membership=membership, status=S.ACCEPTED
            )
            outcomes.append("accepted")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(users, memberships, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "cohort_full"]
    assert CohortMembership.objects.filter(cohort=cohort, status=S.ACCEPTED).count() == 1


def test_a_startup_answers_only_its_own_invitation(world):
    invited = CohortMembershipFactory(startup=world.startup, status=S.INVITED)
    with pytest.raises(PermissionDeniedError):
        services.cohort_member_update(
            actor=actor_for(world.other_startup_user), membership=invited, status=S.DECLINED
        )


def test_a_startup_cannot_invite_itself(world):
    shortlisted = CohortMembershipFactory(startup=world.startup)
    with pytest.raises(InvalidTransitionError):
        services.cohort_member_update(
            actor=actor_for(world.startup_user), membership=shortlisted, status=S.INVITED
        )


def test_only_startups_join_cohorts(world):
    with pytest.raises(ApplicationError):
        services.cohort_member_add(
            actor=actor_for(world.operator_user), cohort=CohortFactory(), startup=world.enterprise
        )


def test_duplicate_members_are_refused(world):
    cohort = CohortFactory()
    operator = actor_for(world.operator_user)
    services.cohort_member_add(actor=operator, cohort=cohort, startup=world.startup)
    with pytest.raises(ApplicationError) as error:
        services.cohort_member_add(actor=operator, cohort=cohort, startup=world.startup)
    assert error.value.code == "duplicate"


def test_archived_challenges_cannot_be_edited(world, accelerator):
    challenge = ChallengeFactory(accelerator=accelerator, status=Challenge.Status.ARCHIVED)
    with pytest.raises(InvalidTransitionError):
        services.challenge_update(
            actor=actor_for(world.enterprise_user), challenge=challenge, data={"title": "New"}
        )


# --- deadlines ------------------------------------------------------------------------------


def _days_from_today(days: int):
    return timezone.localdate() + timezone.timedelta(days=days)


def test_a_challenge_cannot_be_created_with_a_deadline_that_has_passed(world, accelerator):
    actor = actor_for(world.enterprise_user)
    data = {"accelerator": accelerator, "title": "Late", "problem_statement": "Too late."}
    with pytest.raises(ValidationError) as raised:
        services.challenge_create(actor=actor, data={**data, "deadline": _days_from_today(-1)})
    assert list(raised.value.message_dict) == ["deadline"]
    today = services.challenge_create(actor=actor, data={**data, "deadline": _days_from_today(0)})
    assert today.deadline == timezone.localdate()


def test_an_edit_cannot_move_a_deadline_into_the_past_but_may_keep_one(world, challenge):
    actor = actor_for(world.enterprise_user)
    with pytest.raises(ValidationError):
        services.challenge_update(
            actor=actor, challenge=challenge, data={"deadline": _days_from_today(-3)}
        )
    # A deadline that passed since it was set stays while the firm edits something else.
    Challenge.objects.filter(pk=challenge.pk).update(deadline=_days_from_today(-3))
    challenge.refresh_from_db()
    edited = services.challenge_update(
        actor=actor,
        challenge=challenge,
        data={"title": "Sharper title", "deadline": challenge.deadline},
    )
    assert edited.title == "Sharper title"


def test_a_challenge_whose_deadline_has_passed_is_not_published(world, accelerator):
    challenge = ChallengeFactory(
        accelerator=accelerator, status="draft", published_at=None, deadline=_days_from_today(-1)
    )
    with pytest.raises(InvalidTransitionError):
        services.challenge_publish(actor=actor_for(world.enterprise_user), challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.DRAFT
