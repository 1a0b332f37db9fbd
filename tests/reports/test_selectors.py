from __future__ import annotations

from decimal import Decimal

import pytest

from backend.accounts.selectors import actor_for
from backend.common.errors import NotFoundError
from backend.reports.selectors import report, report_for_actor
from tests.reports.dates import HALF_YEAR, at

pytestmark = pytest.mark.django_db


def by_key(numbers):
    return {stage.key: stage for stage in numbers.funnel}


def ids(district, *names):
    return {district.startups[name].pk for name in names}


def test_the_first_accelerators_funnel_counts_rates_and_medians(district):
    numbers = report(HALF_YEAR).accelerators[0]
    assert numbers.accelerator == district.first
    funnel = by_key(numbers)
    # m1, m2, m3 proposed in the period; m5 (2025) is not.
    assert [(s.key, s.count) for s in numbers.funnel] == [
        ("proposed", 3),
        ("interest", 2),
        ("connected", 2),
        ("pilot", 1),  # m2's pilot is only proposed
        ("decided", 1),
        ("outcome", 1),
    ]
    assert funnel["proposed"].rate is None
    assert funnel["interest"].rate == pytest.approx(2 / 3)
    assert funnel["connected"].rate == 1
    assert funnel["pilot"].rate == 0.5
    # Interest from the first side to show it: 2 days (m1), 4 days (m2).
    assert funnel["interest"].median_days == 3
    assert funnel["connected"].median_days == 6
    assert funnel["pilot"].median_days == 10
    assert funnel["decided"].median_days == 39
    assert funnel["outcome"].median_days == 10


def test_the_district_funnel_counts_every_accelerator(district):
    numbers = report(HALF_YEAR).district
    assert [s.count for s in numbers.funnel] == [4, 2, 2, 1, 1, 1]
    assert by_key(numbers)["interest"].rate == 0.5


def test_attracted_gathered_and_grown(district):
    result = report(HALF_YEAR)
    first, second = result.accelerators
    # s4 first engaged in 2025; s5 came through a cohort place.
    assert first.attracted == ids(district, "s1", "s2", "s3", "s5")
    assert first.gathered == ids(district, "s1", "s3", "s5")
    # s1's credential came after it engaged; s2's before; s3's outside the period.
    assert first.grown == ids(district, "s1", "s4")
    # s2 first met the second accelerator in August, after the period.
    assert second.attracted == ids(district, "s1")
    assert second.gathered == ids(district, "s1")
    # s1's credential (March) came before it met the second accelerator (May).
    assert second.grown == set()
    assert result.district.attracted == ids(district, "s1", "s2", "s3", "s5")
    assert result.district.gathered == ids(district, "s1", "s3", "s5")
    assert result.district.grown == ids(district, "s1", "s4")


def test_the_district_setting_decides_who_is_gathered(district, settings):
    settings.DISTRICT_NAME = "浦东新区"
    assert report(HALF_YEAR).district.gathered == ids(district, "s2")


def test_pilots_by_state_and_age(district):
    first, second = report(HALF_YEAR).accelerators
    assert first.pilots_by_state == {
        "proposed": 1,
        "running": 1,
        "decided": 1,
        "withdrawn": 0,
        "declined": 0,
    }
    assert first.running_by_age == {"0-30": 0, "31-60": 1, "61-100": 0, "100+": 0}
    assert second.pilots_by_state == {
        "proposed": 0,
        "running": 0,
        "decided": 0,
        "withdrawn": 0,
        "declined": 0,
    }


def test_outcomes_by_kind_confirmed_or_not_inside_the_period(district):
    outcomes = {(row.kind, row.currency): row for row in report(HALF_YEAR).accelerators[0].outcomes}
    # The July one is outside the period.
    assert set(outcomes) == {
        ("tech_development", "CNY"),
        ("purchase_order", "CNY"),
        ("investment", "USD"),
    }
    development = outcomes[("tech_development", "CNY")]
    assert (development.confirmed, development.confirmed_amount) == (1, Decimal("500000"))
    order = outcomes[("purchase_order", "CNY")]
    assert (order.confirmed, order.unconfirmed, order.unconfirmed_amount) == (
        0,
        1,
        Decimal("120000"),
    )


def test_one_accelerator_on_request(district):
    result = report(HALF_YEAR, accelerator_id=district.second.pk)
    assert [numbers.accelerator for numbers in result.accelerators] == [district.second]


def test_the_numbers_take_a_handful_of_queries_whatever_the_rows(
    district, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        report(HALF_YEAR)


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_only_operators_read_the_numbers(world, district, role):
    with pytest.raises(NotFoundError):
        report_for_actor(actor_for(world.user(role)), HALF_YEAR)


def test_an_unknown_accelerator_is_not_found(world, district):
    with pytest.raises(NotFoundError):
        report_for_actor(actor_for(world.operator_user), HALF_YEAR, accelerator_id=10**9)


def test_a_stage_counts_only_matches_that_passed_the_ones_before():
    from backend.reports.selectors import STAGES, MatchStages, funnel_of

    # An outcome confirmed on a match that never showed interest: it stops at "proposed".
    reached = dict.fromkeys(STAGES)
    reached.update(proposed=at(2, 1), outcome=at(3, 1))
    match = MatchStages(1, 1, 1, reached)
    assert match.stage == "proposed"
    assert [stage.count for stage in funnel_of([match])] == [1, 0, 0, 0, 0, 0]
