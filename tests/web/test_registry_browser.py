"""In a real browser, in both languages: an operator imports a roster (a bad one first, then a
good one), and a startup records a credential that the firm then reads on the startup's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.seed import FIRM, FIRM2, OPERATOR, ROBOTICS_STARTUP
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Real, published codes: one language's run must not find the other's already imported.
ROSTERS = {
    "en": ("914403001922038216", "9144030071526726XG"),
    "zh-hans": ("91520000214434146R", "9144030010001686XA"),
}
WORDS = {
    "en": {
        "import": "Import a roster",
        "nothing": "Nothing was imported",
        "imported": "2 startups imported and invited",
        "bad_code": "Line 3: Not a valid unified social credit code.",
        "kind": "High-tech enterprise",
        "unverified": "Not verified yet",
        "expired": "Expired",
    },
    "zh-hans": {
        "import": "导入名单",
        "nothing": "未导入任何内容",
        "imported": "已导入并邀请 2 家初创企业",
        "bad_code": "第 3 行：统一社会信用代码无效。",
        "kind": "高新技术企业",
        "unverified": "尚未核验",
        "expired": "已过期",
    },
}


def roster(lang: str, second_code: str) -> dict:
    first, _ = ROSTERS[lang]
    rows = [
        "名称,统一社会信用代码,联系邮箱,网站",
        f"Roster One {lang},{first},one-{lang}@roster.test,one.example",
        f"Roster Two {lang},{second_code},two-{lang}@roster.test,",
    ]
    return {"name": "roster.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_operator_imports_a_roster(open_page, site, lang):
    words = WORDS[lang]
    operator = open_page(OPERATOR, lang=lang)
    operator.goto("/operator/")
    operator.get_by_role("link", name=words["import"]).click()
    expect(operator).to_have_url(re.compile(r"/operator/rosters/$"))

    good_code = ROSTERS[lang][1]
    operator.set_input_files("input[name=file]", roster(lang, good_code[:-1] + "0"))
    operator.locator("form.form-card button[type=submit]").click()
    problems = operator.locator("[data-roster-problems]")
    expect(problems).to_contain_text(words["nothing"])
    expect(problems.locator("li")).to_have_text([words["bad_code"]])
    shoot(operator, f"{lang}-operator-roster-problems")

    operator.set_input_files("input[name=file]", roster(lang, good_code))
    operator.locator("form.form-card button[type=submit]").click()
    imported = operator.locator("[data-roster-imported]")
    expect(imported).to_contain_text(words["imported"])
    expect(imported.locator("li")).to_have_count(2)
    shoot(operator, f"{lang}-operator-roster-imported")
    imported.get_by_role("link", name=f"Roster One {lang}").click()
    expect(operator.locator("h1")).to_have_text(f"Roster One {lang}")
    assert len(site.inbox.wait(f"one-{lang}@roster.test")) == 1


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_startups_credentials_are_shown_on_its_page(open_page, site, lang):
    words = WORDS[lang]
    startup = open_page(ROBOTICS_STARTUP, lang=lang)
    startup.goto("/profile/")
    adding = startup.locator("form.credential-add")
    adding.locator("select[name=kind]").select_option("high_tech")
    number = f"GR2023{lang}"
    adding.locator("input[name=certificate_number]").fill(number)
    adding.locator("input[name=issued_on]").fill("2020-11-15")
    adding.locator("input[name=expires_on]").fill("2023-11-14")
    adding.locator("button[type=submit]").click()
    own = startup.locator("[data-own-credentials] [data-credential]", has_text=number)
    expect(own).to_contain_text(words["expired"])
    expect(own).to_contain_text(words["unverified"])
    shoot(startup, f"{lang}-startup-own-credentials")

    firm = open_page(FIRM, lang=lang)
    firm.goto(f"/challenges/{site.seed['challenges']['public']}/matches/?tab=connected")
    firm.locator("[data-match]", has_text="GridSense Robotics").get_by_role(
        "link", name="GridSense Robotics"
    ).click()
    shown = firm.locator("[data-credentials] [data-credential]", has_text=number)
    expect(shown).to_contain_text(words["kind"])
    expect(shown).to_contain_text(words["expired"])
    expect(shown).to_contain_text(words["unverified"])
    expect(shown.get_by_role("button")).to_have_count(0)  # the firm reads, and edits nothing
    shoot(firm, f"{lang}-firm-startup-credentials")


REGISTRATION = {
    "en": {"wrong": "Not a valid unified social credit code", "saved": "registration is saved"},
    "zh-hans": {"wrong": "统一社会信用代码无效", "saved": "登记信息已保存"},
}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_firm_records_its_registration(open_page, lang):
    words = REGISTRATION[lang]
    firm = open_page(FIRM2, lang=lang)
    firm.locator("a.account-org").click()
    expect(firm).to_have_url(re.compile(r"/settings/organisation/$"))
    firm.fill("input[name=credit_code]", "91310000132207859")  # one character short
    firm.fill("input[name=registered_district]", "静安区")
    firm.locator("form.form-card button[type=submit]").click()
    expect(firm.locator('[data-field="credit_code"] .field-errors')).to_contain_text(words["wrong"])
    shoot(firm, f"{lang}-firm-registration-refused")
    firm.fill("input[name=credit_code]", "9131 0000 1322 0785 90")
    firm.locator("form.form-card button[type=submit]").click()
    expect(firm.locator("body")).to_contain_text(words["saved"])
    expect(firm.locator("input[name=credit_code]")).to_have_value("913100001322078590")
    expect(firm.locator("[data-unverified]")).to_be_visible()
