from __future__ import annotations

import threading

import pytest
from django.db import connection

from backend.accounts.selectors import actor_for
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.programs import services
from backend.programs.models import Accelerator, Challenge, CohortMembership
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    CohortFactory,
    CohortMembershipFactory,
    OrganizationFactory,
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
    assert service(challenge=challenge, by=world.enterprise_user).status == end


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
        service(challenge=challenge, by=world.enterprise_user)
    challenge.refresh_from_db()
    assert challenge.status == start


def test_publishing_stamps_the_first_publication_only(world, accelerator):
    challenge = ChallengeFactory(accelerator=accelerator, status="draft", published_at=None)
    first = services.challenge_publish(challenge=challenge, by=world.enterprise_user).published_at
    services.challenge_close(challenge=challenge, by=world.enterprise_user)
    again = services.challenge_publish(challenge=challenge, by=world.enterprise_user)
    assert first is not None and again.published_at == first


def test_a_paused_accelerator_cannot_publish(world):
    accelerator = AcceleratorFactory(enterprise=world.enterprise, status=Accelerator.Status.PAUSED)
    challenge = ChallengeFactory(accelerator=accelerator, status="draft", published_at=None)
    with pytest.raises(InvalidTransitionError):
        services.challenge_publish(challenge=challenge, by=world.enterprise_user)


def test_challenges_go_only_under_ones_own_accelerator(world):
    foreign = AcceleratorFactory(enterprise=world.other_enterprise)
    with pytest.raises(PermissionDeniedError):
        services.challenge_create(
            actor=actor_for(world.enterprise_user),
            data={"accelerator": foreign, "title": "t", "problem_statement": "p"},
        )


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
        services.challenge_update(challenge=challenge, data={"title": "New"})
