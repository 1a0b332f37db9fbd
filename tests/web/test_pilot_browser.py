"""A connected match in a real browser, through a pilot to a decision and a confirmed outcome:
the startup proposes in English, the firm accepts, updates and decides in Chinese."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.web.seed import FIRM, ROBOTICS_STARTUP
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUESTION = "Does the inspection robot find 95% of cell defects on our line?"


def test_a_connected_match_runs_a_pilot_to_a_decision_and_an_outcome(open_page, site):
    conversation = site.seed["long_conversation"]
    today = date.today()

    # The startup opens the pilots from its conversation and proposes one.
    startup = open_page(ROBOTICS_STARTUP)
    startup.goto(f"/conversations/{conversation}/")
    startup.get_by_role("link", name="Pilots and outcomes").click()
    expect(startup.locator("h1")).to_have_text("Pilots and outcomes")
    pilots_url = startup.url
    startup.get_by_text("Propose a pilot").click()
    startup.get_by_label("The question the pilot answers").fill(QUESTION)
    startup.get_by_label("Success criterion").fill("95% of seeded defects found")
    startup.get_by_label("Decision owner at the firm").select_option(label="Lingang Team")
    startup.get_by_label("Starts on").fill(str(today))
    startup.get_by_label("Ends on").fill(str(today + timedelta(days=120)))
    startup.get_by_label("Amount (CNY)").fill("60000")
    startup.get_by_label("IP terms").select_option("joint")
    startup.get_by_role("button", name="Propose the pilot").click()
    expect(startup.locator("[data-field=ends_on] .field-errors")).to_have_text(
        "Longer than a pilot may run."
    )
    startup.get_by_label("Ends on").fill(str(today + timedelta(days=60)))
    startup.get_by_role("button", name="Propose the pilot").click()
    expect(startup.locator(".flash-success")).to_contain_text("The pilot is proposed")
    expect(startup.locator("[data-pilot]")).to_contain_text("Waiting for the other party")
    shoot(startup, "en-startup-pilot-proposed")

    # The firm, in Chinese, accepts it, posts an update and decides to scale.
    firm = open_page(FIRM, lang="zh-hans")
    firm.goto(pilots_url)
    expect(firm.locator("h1")).to_have_text("试点与成果")
    firm.get_by_role("button", name="接受试点").click()
    expect(firm.locator("[data-pilot-state]")).to_have_text("进行中")
    firm.get_by_text("发布进展").click()
    firm.get_by_label("进展情况").fill("第一周：检出率 93%。")
    firm.get_by_role("button", name="发布", exact=True).click()
    expect(firm.locator("[data-updates]")).to_contain_text("检出率 93%")
    firm.get_by_text("作出决定", exact=True).click()
    firm.get_by_label("推广").check()
    firm.get_by_role("button", name="提交决定").click()
    expect(firm.locator("[data-field=reason] .field-errors")).to_contain_text("必填")
    firm.get_by_label("推广").check()
    firm.get_by_label("理由").fill("两条标准均已达到。")
    firm.get_by_role("button", name="提交决定").click()
    expect(firm.locator("[data-pilot-decision]")).to_have_text("推广")
    expect(firm.locator("[data-pilot-state]")).to_have_text("已决定")

    # The firm records the technology development contract that followed.
    firm.get_by_text("登记合作成果").click()
    outcome_form = firm.locator("[data-outcome-form]")
    outcome_form.get_by_label("类型").select_option("tech_development")
    outcome_form.locator("[name=amount]").fill("1500000")
    outcome_form.get_by_label("日期").fill(str(today))
    firm.get_by_role("button", name="登记成果").click()
    expect(firm.locator("[data-unconfirmed]")).to_have_text("待确认")
    shoot(firm, "zh-firm-pilot-decided")

    # The startup confirms it.
    startup.goto(pilots_url)
    outcome = startup.locator("[data-outcome]")
    expect(outcome).to_contain_text(re.compile(r"Technology development contract.*1500000"))
    outcome.get_by_role("button", name="Confirm").click()
    expect(startup.locator("[data-confirmed]")).to_have_text("Confirmed")
    shoot(startup, "en-startup-outcome-confirmed")

    # The conversation's timeline carries each step, by who took it, in each reader's language.
    startup.goto(f"/conversations/{conversation}/")
    expect(startup.locator("[data-event='pilot.decided']")).to_contain_text("The pilot is decided")
    expect(startup.locator("[data-event='outcome.confirmed']")).to_contain_text("GridSense Team")
    firm.goto(f"/conversations/{conversation}/")
    expect(firm.locator("[data-event='pilot.proposed']")).to_contain_text("有新的试点提议")
    expect(firm.locator("[data-event='outcome.recorded']")).to_contain_text("Lingang Team")
    shoot(firm, "zh-firm-conversation-pilot-steps")

    # On a phone, in Chinese, the page fits and the propose form opens within it.
    phone = open_page(ROBOTICS_STARTUP, lang="zh-hans", width=390, height=844, touch=True)
    phone.goto(pilots_url)
    phone.get_by_text("提议试点").click()
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    shoot(phone, "zh-phone-pilots")
