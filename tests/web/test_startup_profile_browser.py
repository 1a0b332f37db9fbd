"""A firm opens a startup from a match card, on a laptop and on a phone, in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.seed import FIRM
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844, "touch": True}
WORDS = {
    "en": {"glance": "At a glance", "history": "Your history with this startup", "trl": "TRL 6"},
    "zh-hans": {"glance": "概览", "history": "你与这家初创企业的往来", "trl": "TRL 6"},
}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_firm_opens_a_startup_from_its_match_card(open_page, site, lang, device):
    firm = open_page(FIRM, lang=lang, **(PHONE if device == "phone" else {}))
    # The anode brief proposes VoltCell; other tests may have moved its card to another tab.
    challenge = site.seed["challenges"]["confidential"]
    for tab in ("open", "connected", "declined"):
        firm.goto(f"/challenges/{challenge}/matches/?tab={tab}")
        card = firm.locator("[data-match]", has_text="VoltCell Energy")
        if card.count():
            break
    card.get_by_role("link", name="VoltCell Energy").click()

    expect(firm.locator("h1")).to_have_text("VoltCell Energy")
    words = WORDS[lang]
    facts = firm.locator("section", has_text=words["glance"])
    expect(facts).to_contain_text(words["trl"])
    expect(facts).to_contain_text("2019")
    website = facts.get_by_role("link", name="https://voltcell.example/")
    expect(website).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(firm.locator(".checklist li")).to_have_count(3)
    history = firm.locator("[data-history]")
    expect(history).to_contain_text(words["history"])
    expect(history.locator(f'a[href="/challenges/{challenge}/"]')).to_have_count(1)
    overflow = firm.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    shoot(firm, f"{lang}-{device}-firm-startup-profile")
