"""Applying and hearing back, in a real browser against the real server and indexer: a firm posts
a challenge with a review rubric; a startup finds it by search and applies with a pitch and a PDF
(in Chinese); the firm reads it beside the engine's rank, scores it, shortlists and declines it
with a reason (in English); the startup reads the reason and its timeline; the firm takes the
decline back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.seed import FIRM, KITCHEN_STARTUP
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TITLE = "Early warning of thermal runaway in battery storage"
PITCH = "我们的集装箱式厨房配有电池储能柜，可以提供储能柜的温度数据。"
FEEDBACK = "We need a partner with battery-site safety certification."
NOTE = "Internal: their data looked thin."


def post_challenge_with_a_rubric(firm) -> str:
    """The seeded public challenge's text, for which the engine proposes FieldKitchen nothing
    (far from its kitchens): what it does there, it does as an applicant."""
    firm.goto("/challenges/new/")
    firm.get_by_label("Title").fill(TITLE)
    firm.get_by_label("Problem statement").fill(
        "Our containerised battery storage sites need to detect cell overheating minutes "
        "before thermal runaway, with sensors or thermal imaging that work in dusty rooms."
    )
    outcome = "A pilot in one storage container within six months."
    firm.get_by_label("Desired outcomes").fill(outcome)
    capabilities = "Thermal hot-spot detection\nBattery monitoring"
    firm.get_by_label("Required capabilities").fill(capabilities)
    firm.get_by_label("Industry tags").fill("energy storage, safety")
    firm.get_by_role("button", name="Save and publish").click()
    expect(firm.locator("h1")).to_have_text(TITLE)
    challenge_url = firm.url
    firm.get_by_role("link", name="Review rubric").click()
    rows = firm.locator(".rubric-row")
    for index, (name, weight) in enumerate([("Camp experience", "2"), ("Speed to deploy", "1")]):
        rows.nth(index).get_by_label("Criterion").fill(name)
        rows.nth(index).get_by_label("Weight").fill(weight)
    firm.get_by_role("button", name="Save rubric").click()
    expect(firm.locator(".flash-success")).to_contain_text("Rubric saved")
    return challenge_url


def test_a_startup_applies_and_always_hears_back(open_page, site):
    firm = open_page(FIRM)
    challenge_url = post_challenge_with_a_rubric(firm)

    # The startup, which the engine does not propose for it, finds it by search (once the
    # indexer has it) and applies from its page.
    startup = open_page(KITCHEN_STARTUP, lang="zh-hans")
    result = startup.locator(".result", has_text=TITLE)
    for _ in range(60):
        startup.goto("/challenges/?q=early+warning+of+thermal+runaway+in+battery+storage")
        if result.count():
            break
        startup.wait_for_timeout(1000)
    shoot(startup, "zh-startup-search-apply")
    result.get_by_role("link", name="申请").click()
    expect(startup.locator("#apply-title")).to_have_text("申请此需求")
    startup.get_by_label("致企业的申请陈述").fill(PITCH)
    startup.set_input_files(
        "#apply-documents",
        files=[{"name": "方案.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shoot(startup, "zh-startup-apply")
    startup.get_by_role("button", name="提交申请").click()
    expect(startup.locator(".flash-success")).to_contain_text("已申请")
    card = startup.locator("[data-match]")
    expect(card.locator(".match-state")).to_contain_text("你已申请")
    expect(card.locator(".timeline")).to_contain_text("已申请")

    # The firm finds it among the applications, ranked by the engine after the response.
    applications = f"{challenge_url}matches/?origin=applied"
    firm.goto(applications)
    application = firm.locator("[data-match]", has_text="FieldKitchen")
    expect(application.locator(".pill-applied")).to_have_text("Application")
    expect(application.locator(".pitch")).to_contain_text(PITCH)
    expect(application.get_by_role("link", name="方案.pdf")).to_be_visible()
    for _ in range(60):
        if application.locator(".rank-no").count():
            break
        firm.wait_for_timeout(1000)
        firm.reload()
    expect(application.locator(".rank-no")).to_have_text(re.compile(r"^#\d+$"))
    # The team scores it on the challenge's rubric, then shortlists it.
    application.get_by_role("link", name="Team review").click()
    rows = firm.locator(".score-row")
    rows.nth(0).get_by_label("4", exact=True).check()
    rows.nth(1).get_by_label("5", exact=True).check()
    firm.get_by_role("button", name="Save my scores").click()
    expect(firm.locator("[data-mean]")).to_have_text("4.33 / 5")  # (2x4 + 1x5) / 3
    firm.goto(applications)
    application.get_by_role("button", name="Shortlist").click()
    expect(application.locator(".match-state")).to_contain_text("Shortlisted")
    shoot(firm, "en-firm-application")

    # The startup's timeline: viewed by the firm, shortlisted; never by whom.
    startup.reload()
    timeline = startup.locator(".timeline")
    expect(timeline).to_contain_text("企业已查看")
    expect(timeline).to_contain_text("候选")

    # The firm declines with a reason the startup reads, and a note it never does.
    application.locator("summary.button", has_text="Not for us").click()
    application.get_by_label("Why not (the startup sees this)").select_option("budget_or_scale")
    application.get_by_label("Message to the startup").fill(FEEDBACK)
    application.get_by_label("Internal note").fill(NOTE)
    shoot(firm, "en-firm-decline-form")
    application.get_by_role("button", name="Confirm: not for us").click()
    expect(firm.locator(".toast").last).to_contain_text("within 7 days")
    firm.goto(f"{challenge_url}matches/?tab=declined")
    declined = firm.locator("[data-match]", has_text="FieldKitchen")
    expect(declined.locator(".internal-note")).to_contain_text(NOTE)

    startup.reload()
    reason = startup.locator(".decline-reason")
    expect(reason).to_contain_text("预算或规模不符")
    expect(reason).to_contain_text(FEEDBACK)
    expect(startup.locator("body")).not_to_contain_text(NOTE)
    expect(startup.locator(".timeline")).to_contain_text("已婉拒")
    shoot(startup, "zh-startup-declined-with-reason")

    # The firm takes it back: the application is open again, for both.
    card_id = declined.get_attribute("id")
    declined.get_by_role("button", name="Take back the decline").click()
    expect(firm.locator(f"#{card_id}")).to_have_count(0)
    startup.reload()
    expect(startup.locator("[data-match] .match-state")).to_contain_text("你已申请")
    expect(startup.locator(".decline-reason")).to_have_count(0)

    # The same pages in the other language.
    firm_zh = open_page(FIRM, lang="zh-hans")
    firm_zh.goto(applications)
    expect(firm_zh.locator("[data-match]", has_text="FieldKitchen")).to_contain_text("申请")
    shoot(firm_zh, "zh-firm-application")
    startup_en = open_page(KITCHEN_STARTUP)
    startup_en.goto(challenge_url)
    expect(startup_en.locator(".timeline")).to_contain_text("Viewed by the firm")
    shoot(startup_en, "en-startup-application")
