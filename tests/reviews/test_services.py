"""The rules of a firm's team review, service by service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backend.accounts.selectors import actor_for
from backend.common.errors import ApplicationError, InvalidTransitionError, PermissionDeniedError
from backend.notifications.models import Notification
from backend.reviews import selectors, services
from backend.reviews.models import Criterion, ReviewerAssignment
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _criteria(n: int) -> list[dict]:
    return [{"name": f"Criterion {i}", "weight": 1} for i in range(n)]


@pytest.mark.parametrize("count", [2, 6])
def test_a_rubric_has_two_to_six_criteria(world, challenge, count):
    rubric = services.rubric_set(
        actor=actor_for(world.enterprise_user), challenge=challenge, criteria=_criteria(count)
    )
    assert [c.position for c in rubric.criteria.all()] == list(range(count))


@pytest.mark.parametrize("count", [0, 1, 7])
def test_a_rubric_refuses_fewer_than_two_or_more_than_six_criteria(world, challenge, count):
    with pytest.raises(ApplicationError) as caught:
        services.rubric_set(
            actor=actor_for(world.enterprise_user), challenge=challenge, criteria=_criteria(count)
        )
    assert "criteria" in caught.value.fields


@pytest.mark.parametrize("weight", [0, 11])
def test_a_criterion_weighs_from_one_to_ten(world, challenge, weight):
    criteria = [{"name": "Impact", "weight": weight}, {"name": "Fit", "weight": 1}]
    with pytest.raises(ValidationError, match="weight"):
        services.rubric_set(
            actor=actor_for(world.enterprise_user), challenge=challenge, criteria=criteria
        )
    assert not Criterion.objects.exists()


def test_criteria_have_distinct_names(world, challenge):
    criteria = [{"name": "Impact", "weight": 2}, {"name": " impact ", "weight": 1}]
    with pytest.raises(ApplicationError, match="own name"):
        services.rubric_set(
            actor=actor_for(world.enterprise_user), challenge=challenge, criteria=criteria
        )


@pytest.mark.parametrize("role", ["other_enterprise", "startup", "operator"])
def test_only_the_firm_sets_its_rubric(world, challenge, role):
    with pytest.raises(PermissionDeniedError):
        services.rubric_set(
            actor=actor_for(world.user(role)), challenge=challenge, criteria=_criteria(2)
        )


def test_the_rubric_changes_until_the_first_score_and_then_stays(world, review):
    firm = actor_for(world.enterprise_user)
    services.rubric_set(actor=firm, challenge=review.challenge, criteria=_criteria(3))
    [first, second, third] = review.challenge.rubric.criteria.all()
    services.review_submit(
        actor=firm, match=review.match, scores={first.pk: 1, second.pk: 2, third.pk: 3}
    )
    with pytest.raises(InvalidTransitionError):
        services.rubric_set(actor=firm, challenge=review.challenge, criteria=_criteria(2))
    assert review.challenge.rubric.criteria.count() == 3


def test_a_member_scores_every_criterion_from_one_to_five(world, review):
    scores = {review.impact.pk: 5, review.fit.pk: 1}
    mine = services.review_submit(
        actor=actor_for(review.colleague), match=review.match, scores=scores
    )
    assert {s.criterion_id: s.score for s in mine.scores.all()} == scores
    assert selectors.weighted_mean(mine) == Decimal("4.00")  # (3x5 + 1x1) / 4


@pytest.mark.parametrize("bad", [0, 6])
def test_scores_outside_one_to_five_are_refused(world, review, bad):
    with pytest.raises(ApplicationError, match="1 to 5"):
        services.review_submit(
            actor=actor_for(review.colleague),
            match=review.match,
            scores={review.impact.pk: bad, review.fit.pk: 3},
        )


def test_a_review_scores_all_criteria_and_no_others(world, review, accelerator):
    actor = actor_for(review.colleague)
    with pytest.raises(ApplicationError, match="every criterion"):
        services.review_submit(actor=actor, match=review.match, scores={review.impact.pk: 3})
    with pytest.raises(ApplicationError, match="every criterion"):
        services.review_submit(
            actor=actor,
            match=review.match,
            scores={review.impact.pk: 3, review.fit.pk: 3, review.fit.pk + 100: 3},
        )


def test_scoring_again_replaces_ones_own_review(world, review):
    actor = actor_for(review.colleague)
    services.review_submit(
        actor=actor, match=review.match, scores={review.impact.pk: 1, review.fit.pk: 1}
    )
    services.review_submit(
        actor=actor, match=review.match, scores={review.impact.pk: 5, review.fit.pk: 5}
    )
    [only] = review.match.reviews.all()
    assert [s.score for s in only.scores.all()] == [5, 5]


def test_a_match_without_a_rubric_cannot_be_scored(world, review):
    review.challenge.rubric.delete()
    with pytest.raises(InvalidTransitionError):
        services.review_submit(
            actor=actor_for(world.enterprise_user), match=review.match, scores={}
        )


@pytest.mark.parametrize("role", ["other_enterprise", "startup", "operator"])
def test_only_the_firms_members_write_reviews_notes_and_assignments(world, review, role):
    actor = actor_for(world.user(role))
    with pytest.raises(PermissionDeniedError):
        services.review_submit(
            actor=actor, match=review.match, scores={review.impact.pk: 3, review.fit.pk: 3}
        )
    with pytest.raises(PermissionDeniedError):
        services.note_add(actor=actor, match=review.match, text="Looks strong")
    with pytest.raises(PermissionDeniedError):
        services.reviewer_assign(actor=actor, match=review.match, reviewer=review.colleague)
    with pytest.raises(PermissionDeniedError):
        services.reviewer_unassign(actor=actor, match=review.match, reviewer=review.colleague)


def test_the_aggregate_is_the_mean_and_range_of_the_weighted_means(world, review):
    third = member_of(world.enterprise)
    for user, impact, fit in [
        (world.enterprise_user, 5, 1),
        (review.colleague, 2, 2),
        (third, 3, 5),
    ]:
        services.review_submit(
            actor=actor_for(user),
            match=review.match,
            scores={review.impact.pk: impact, review.fit.pk: fit},
        )
    seen = selectors.team_review(actor_for(third), review.match)
    # Weighted means 4.00, 2.00 and 3.50; their mean 3.17, from 2.00 to 4.00.
    assert sorted(r.weighted_mean for r in seen.reviews) == [
        Decimal("2.00"),
        Decimal("3.50"),
        Decimal("4.00"),
    ]
    assert seen.aggregate == selectors.Aggregate(
        count=3, mean=Decimal("3.17"), lowest=Decimal("2.00"), highest=Decimal("4.00")
    )


def test_a_member_who_has_not_scored_sees_only_how_many_have(world, review):
    services.review_submit(
        actor=actor_for(world.enterprise_user),
        match=review.match,
        scores={review.impact.pk: 4, review.fit.pk: 4},
    )
    blind = selectors.team_review(actor_for(review.colleague), review.match)
    assert blind.blind and blind.reviews == [] and blind.mine is None
    assert blind.aggregate == selectors.Aggregate(count=1)
    operator = selectors.team_review(actor_for(world.operator_user), review.match)
    assert not operator.blind and operator.aggregate.mean == Decimal("4.00")


def test_only_the_firms_own_members_can_be_assigned(world, review):
    firm = actor_for(world.enterprise_user)
    assignment = services.reviewer_assign(actor=firm, match=review.match, reviewer=review.colleague)
    again = services.reviewer_assign(actor=firm, match=review.match, reviewer=review.colleague)
    assert again.pk == assignment.pk and assignment.assigned_by == world.enterprise_user
    for outsider in (world.other_enterprise_user, world.startup_user, world.operator_user):
        with pytest.raises(ApplicationError, match="member of your firm"):
            services.reviewer_assign(actor=firm, match=review.match, reviewer=outsider)
    services.reviewer_unassign(actor=firm, match=review.match, reviewer=review.colleague)
    assert not ReviewerAssignment.objects.exists()


def test_a_note_is_trimmed_and_at_most_two_thousand_characters(world, review):
    firm = actor_for(world.enterprise_user)
    note = services.note_add(actor=firm, match=review.match, text="  Ask about yields.  ")
    assert note.text == "Ask about yields." and note.author == world.enterprise_user
    with pytest.raises(ValidationError, match="2000"):
        services.note_add(actor=firm, match=review.match, text="x" * 2_001)
    with pytest.raises(ValidationError, match="blank"):
        services.note_add(actor=firm, match=review.match, text="   ")


def test_the_asked_member_is_told_once_and_nobody_else(world, review):
    firm = actor_for(world.enterprise_user)
    services.reviewer_assign(actor=firm, match=review.match, reviewer=review.colleague)
    services.reviewer_assign(actor=firm, match=review.match, reviewer=review.colleague)
    services.reviewer_assign(actor=firm, match=review.match, reviewer=world.enterprise_user)
    [told] = Notification.objects.all()
    assert told.user == review.colleague and told.kind == "review.assigned"
    assert told.event["match"] == review.match.pk
    assert "startup_name" not in told.event


def test_a_deactivated_member_cannot_be_asked(world, review):
    review.colleague.is_active = False
    review.colleague.save()
    with pytest.raises(ApplicationError, match="member of your firm"):
        services.reviewer_assign(
            actor=actor_for(world.enterprise_user), match=review.match, reviewer=review.colleague
        )
