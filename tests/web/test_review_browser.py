"""The firm's team review in a real browser: a rubric, two members scoring a match on their
own, the aggregate they then see, reviewers and internal notes; the startup sees none of it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.servers import manage
from tests.web.seed import FIRM, PASSWORD, STARTUP
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COLLEAGUE = "colleague@web.test"
NOTE = "Strong cycle-life data; ask about their pilot line capacity."


def add_colleague(site) -> None:
    """A second member of the seeded firm, in the server's own database."""
    manage(
        site.server.env,
        "shell",
        "-c",
        "from backend.accounts.models import Membership, Organization, User; "
        f"user = User.objects.create_user({COLLEAGUE!r}, {PASSWORD!r}, full_name='Wang Fang'); "
        "Membership.objects.create(user=user, role='member', organization="
        f"Organization.objects.get(memberships__user__email={FIRM!r}))",
    )


def score(page, points: list[int]) -> None:
    rows = page.locator(".score-row")
    expect(rows).to_have_count(len(points))
    for index, point in enumerate(points):
        rows.nth(index).get_by_label(str(point), exact=True).check()


def test_two_members_score_a_match_and_see_the_team_score(open_page, site):
    add_colleague(site)
    challenge = site.seed["challenges"]["public"]

    # The firm sets a rubric from its challenge's page.
    firm = open_page(FIRM)
    firm.goto(f"/challenges/{challenge}/")
    firm.get_by_role("link", name="Review rubric").click()
    rows = firm.locator(".rubric-row")
    for index, (name, description, weight) in enumerate(
        [
            ("Technical fit", "Solves our thermal-runaway problem", "3"),
            ("Team", "", "1"),
        ]
    ):
        rows.nth(index).get_by_label("Criterion").fill(name)
        rows.nth(index).get_by_label("What it means").fill(description)
        rows.nth(index).get_by_label("Weight").fill(weight)
    shoot(firm, "en-firm-rubric")
    firm.get_by_role("button", name="Save rubric").click()
    expect(firm.locator(".flash-success")).to_contain_text("Rubric saved")

    # From a match card on the matches page to the match's team review.
    firm.goto(f"/challenges/{challenge}/matches/")
    card = firm.locator("[data-match]").first
    shoot(firm, "en-firm-matches-with-team-review")
    card.get_by_role("link", name="Team review").click()
    expect(firm.locator("#team-review")).to_contain_text("Internal: only your firm sees this")
    review_url = firm.url
    firm.get_by_label("Ask a colleague to review").select_option(label="Wang Fang")
    firm.get_by_role("button", name="Ask", exact=True).click()
    expect(firm.locator("[data-reviewers]")).to_contain_text("Wang Fang")
    firm.get_by_label("Internal note").fill(NOTE)
    firm.get_by_role("button", name="Add note").click()
    expect(firm.locator("[data-internal-notes]")).to_contain_text(NOTE)
    score(firm, [5, 1])  # (3x5 + 1x1) / 4 = 4.00
    firm.get_by_role("button", name="Save my scores").click()
    expect(firm.locator(".flash-success")).to_contain_text("Your scores are saved.")
    expect(firm.locator("[data-mean]")).to_have_text("4.00 / 5")
    expect(firm.locator("[data-count]")).to_have_text("1")
    shoot(firm, "en-firm-team-review")

    # The colleague, in Chinese, sees only how many have scored until scoring too.
    colleague = open_page(COLLEAGUE, lang="zh-hans")
    # Asked to review: the bell says so and leads to the match's review.
    colleague.locator("[data-notify-toggle]").click()
    asked = colleague.locator("[data-notify-list] a", has_text="您受邀评审")
    expect(asked).to_have_count(1)
    asked.click()
    colleague.wait_for_url(review_url)
    expect(colleague.locator("#team-review h2")).to_have_text("团队评审")
    expect(colleague.locator("#team-review")).to_contain_text("仅贵公司可见")
    expect(colleague.locator("[data-mean]")).to_have_text("–")
    expect(colleague.locator("[data-count]")).to_have_text("1")
    expect(colleague.locator("#team-review")).to_contain_text("请先给出您自己的评分")
    shoot(colleague, "zh-firm-team-review-blind")
    score(colleague, [2, 2])
    colleague.get_by_role("button", name="保存我的评分").click()
    expect(colleague.locator(".flash-success")).to_contain_text("您的评分已保存")
    expect(colleague.locator("[data-mean]")).to_have_text("3.00 / 5")
    expect(colleague.locator("[data-spread]")).to_have_text("2.00–4.00")
    expect(colleague.locator("[data-count]")).to_have_text("2")
    expect(colleague.locator(".review-table tbody tr")).to_have_count(2)
    shoot(colleague, "zh-firm-team-review")

    # On a phone the panel fits the screen's width.
    phone = open_page(COLLEAGUE, lang="zh-hans", width=390, height=844, touch=True)
    phone.goto(review_url)
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    shoot(phone, "zh-phone-team-review")

    # Scores exist: the rubric now stays as it was scored.
    colleague.goto(f"/challenges/{challenge}/rubric/")
    expect(colleague.locator("main")).to_contain_text("团队已开始打分")

    # The startup reaches none of it.
    startup = open_page(STARTUP)
    response = startup.goto(review_url)
    assert response.status == 404
    startup.goto("/for-you/")
    expect(startup.locator("body")).not_to_contain_text(NOTE)
    expect(startup.get_by_role("link", name=re.compile("Team review"))).to_have_count(0)
