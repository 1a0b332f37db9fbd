from __future__ import annotations

import pytest

from tests.pages import client_as as signed_in
from tests.pages import plain_static_files  # noqa: F401 (an autouse fixture)

pytestmark = pytest.mark.django_db
PAGE = "/operator/numbers/"
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}


def test_the_operator_reads_the_charts_and_the_download(world, district):
    response = signed_in(world.operator_user).get(PAGE, PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    # Four charts for the district and for each accelerator; one has no outcomes to draw.
    assert page.count('<figure class="chart"') == 4 * 3
    assert page.count('<svg class="bars"') == 4 * 3 - 1
    assert "/api/reports/district.xlsx?from=2026-01-01&amp;to=2026-06-30" in page
    assert "Chips Open Innovation" in page
    assert "500.0 thousand CNY" in page


def test_one_accelerator(world, district):
    response = signed_in(world.operator_user).get(
        PAGE, {**PERIOD, "accelerator": district.second.pk}
    )
    page = response.content.decode()
    assert "Zhangjiang Lab" in page
    assert "Chips Open Innovation</h2>" not in page


def test_in_chinese(world, district):
    page = signed_in(world.operator_user, "zh-hans").get(PAGE, PERIOD).content.decode()
    assert "匹配漏斗" in page
    assert "千元" in page


def test_a_bad_period_is_said_on_the_form(world, district):
    response = signed_in(world.operator_user).get(PAGE, {"from": "2026-06-30", "to": "2026-01-01"})
    assert response.status_code == 200
    assert "The period cannot end before it starts." in response.content.decode()
    assert '<svg class="bars"' not in response.content.decode()


@pytest.mark.parametrize("role", ["enterprise", "startup"])
def test_others_meet_a_404(world, district, role):
    assert signed_in(world.user(role)).get(PAGE).status_code == 404


def test_the_overview_links_to_the_numbers(world, district):
    assert PAGE in signed_in(world.operator_user).get("/operator/").content.decode()


def test_the_year_and_its_quarters_are_a_click_away(world, district):
    page = signed_in(world.operator_user, "zh-hans").get(PAGE, PERIOD).content.decode()
    assert "2026 年第 2 季度" in page
    assert 'href="?from=2026-04-01&amp;to=2026-06-30"' in page
    assert 'href="?from=2026-10-01&amp;to=2026-12-31"' in page
