"""The pages in a real browser, against the real server, model and sockets.

The journey: a firm posts and publishes a challenge -> a startup finds it among its matches
with evidence -> both say interested -> they chat live (and through a dropped connection) -> an
operator invites the startup into the cohort -> the startup accepts.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.seed import FIRM, HISTORY, OPERATOR, ROBOTICS_STARTUP, STARTUP, UNMATCHED_STARTUP
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "Fast-charging battery cells for electric buses"


def card_for(page, text: str):
    return page.locator("[data-match]", has_text=text)


def chat_messages(page, text: str):
    return page.locator(".msg[data-seq] .msg-body", has_text=re.compile(f"^{re.escape(text)}$"))


def test_a_challenge_goes_from_posting_to_chat_to_cohort(open_page, site):
    firm = open_page(FIRM)
    shoot(firm, "en-firm-dashboard")

    # The firm posts and publishes a challenge.
    firm.get_by_role("link", name="Post a challenge").first.click()
    firm.get_by_label("Title").fill(TITLE)
    firm.get_by_label("Problem statement").fill(
        "Our electric buses need lithium-ion battery cells that charge to 80% in ten minutes "
        "at depots, with a long cycle life in hot summers."
    )
    firm.get_by_label("Required capabilities").fill(
        "Fast-charging lithium-ion cell design\nBattery cycle-life testing"
    )
    firm.get_by_label("Industry tags").fill("batteries, electric buses")
    firm.get_by_label("Lowest TRL").fill("5")
    firm.get_by_label("Highest TRL").fill("8")
    shoot(firm, "en-firm-challenge-editor")
    # Publishing returns at once: the server's indexer finds the startups after the response.
    firm.get_by_role("button", name="Save and publish").click()
    expect(firm.locator(".flash-success")).to_contain_text("finding the startups")
    expect(firm.locator("h1")).to_have_text(TITLE)
    challenge_url = firm.url
    shoot(firm, "en-firm-challenge")

    # Its matches, with the startup first and the evidence for it.
    firm.get_by_role("link", name="View matches").click()
    # The proposals arrive on the open page, without a reload; "Finding startups..." goes.
    voltcell = card_for(firm, "VoltCell Energy")
    expect(voltcell).to_be_visible(timeout=60_000)
    expect(firm.locator("[data-matching-status]")).to_be_hidden()
    expect(voltcell.locator(".evidence-pair").first).to_be_visible()
    expect(voltcell.locator(".shared-terms .term").first).to_be_visible()
    shoot(firm, "en-firm-matches")

    # The startup sees the challenge among its matches, with the evidence, and says interested.
    startup = open_page(STARTUP)
    shoot(startup, "en-startup-dashboard")
    startup.get_by_role("link", name="Challenges for you").first.click()
    card = card_for(startup, TITLE)
    expect(card).to_be_visible()
    expect(card.locator(".ev-req mark").first).to_be_visible()
    expect(card.locator(".ev-cap mark").first).to_be_visible()
    shoot(startup, "en-startup-for-you")
    card.get_by_role("button", name="Interested").click()
    expect(card.locator(".waiting")).to_contain_text("Waiting for the firm")

    # The firm's open page learns of it live, and the firm says interested too: connected.
    expect(voltcell.locator(".match-state")).to_contain_text("The startup is interested")
    voltcell.get_by_role("button", name="Interested").click()
    expect(voltcell.locator(".match-state")).to_contain_text("Connected")
    # One toast says so: not a second for the match's event, nor a third for the conversation.
    firm.wait_for_timeout(1500)  # the events of the connection arrive meanwhile
    expect(firm.locator(".toast", has_text=re.compile("onnected|conversation"))).to_have_count(1)
    voltcell.get_by_role("link", name="Open conversation").click()
    expect(firm.locator("[data-chat]")).to_have_attribute("data-connection", "live")

    # The startup finds the conversation in its list and opens it.
    startup.get_by_role("link", name="Conversations").click()
    shoot(startup, "en-startup-conversations")
    startup.locator("[data-conversation] a", has_text="Lingang Power Systems").click()
    expect(startup.locator("[data-chat]")).to_have_attribute("data-connection", "live")

    # Messages cross live both ways; typing shows; read state follows.
    firm.get_by_label("Message", exact=True).fill("Hello from Lingang! Can we see your test data?")
    firm.keyboard.press("Enter")
    expect(chat_messages(startup, "Hello from Lingang! Can we see your test data?")).to_have_count(
        1
    )
    startup.get_by_label("Message", exact=True).press_sequentially("Sure")
    expect(firm.locator("[data-chat-typing]")).to_contain_text("typing")
    startup.get_by_label("Message", exact=True).fill("Sure, here is our cycle-life report.")
    startup.get_by_role("button", name="Send").click()
    expect(chat_messages(firm, "Sure, here is our cycle-life report.")).to_have_count(1)
    expect(firm.locator(".msg.mine[data-seq]").last.locator(".msg-status")).to_contain_text("Read")
    shoot(firm, "en-firm-chat")

    # The startup's connection drops; while it is away both sides write.
    startup.evaluate("window.Cohortis.chat.drop(4000)")
    expect(startup.locator("[data-chat]")).to_have_attribute("data-connection", "offline")
    firm.get_by_label("Message", exact=True).fill("First message while you were away")
    firm.keyboard.press("Enter")
    firm.get_by_label("Message", exact=True).fill("Second message while you were away")
    firm.keyboard.press("Enter")
    startup.get_by_label("Message", exact=True).fill("Written while offline")
    startup.keyboard.press("Enter")
    expect(startup.locator(".msg.pending")).to_have_count(1)
    # Back online: each message shows exactly once on each side, in order.
    expect(startup.locator("[data-chat]")).to_have_attribute(
        "data-connection", "live", timeout=15_000
    )
    for page in (startup, firm):
        for text in (
            "First message while you were away",
            "Second message while you were away",
            "Written while offline",
        ):
            expect(chat_messages(page, text)).to_have_count(1)
        expect(page.locator(".msg.pending")).to_have_count(0)
    seqs = [
        int(s)
        for s in startup.locator(".msg[data-seq]").evaluate_all(
            "els => els.map(e => e.dataset.seq)"
        )
    ]
    assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))
    startup.reload()
    expect(startup.locator(".msg[data-seq]")).to_have_count(len(seqs))
    shoot(startup, "en-startup-chat")

    # An operator sees the funnel and invites the startup into the cohort from the matches.
    operator = open_page(OPERATOR)
    expect(operator.locator(".funnel-total")).to_be_visible()
    shoot(operator, "en-operator-overview")
    operator.get_by_role("link", name="2027 Spring intake").click()
    row = operator.locator(".board-add li", has_text="VoltCell Energy")
    row.get_by_label("Add as").select_option("invited")
    row.get_by_role("button", name="Add").click()
    expect(operator.locator("[data-column=invited]")).to_contain_text("VoltCell Energy")
    # ... and shortlists another found by search.
    operator.get_by_label("Find startups").fill("inspection robots with thermal cameras")
    operator.get_by_role("button", name="Search").click()
    found = operator.locator(".board-add li", has_text="GridSense Robotics")
    found.get_by_role("button", name="Shortlist").click()
    expect(operator.locator("[data-column=shortlisted]")).to_contain_text("GridSense Robotics")
    # Cards also move by dragging: to a column the rules allow, and not to one they do not.
    card = operator.locator("[data-column=shortlisted] [data-startup='GridSense Robotics']")
    card.drag_to(operator.locator("[data-column=accepted]"))
    expect(operator.locator("[data-column=shortlisted]")).to_contain_text("GridSense Robotics")
    card.drag_to(operator.locator("[data-column=invited]"))
    expect(operator.locator("[data-column=invited]")).to_contain_text("GridSense Robotics")
    expect(operator.locator(".flash-success")).to_contain_text("GridSense Robotics is now")

    # The startup is told live, and accepts.
    expect(startup.locator("[data-notify-badge]")).to_be_visible()
    # A browser that was closed at the time catches up from the stored notifications.
    elsewhere = open_page(STARTUP)
    expect(elsewhere.locator("[data-notify-badge]")).to_be_visible()
    elsewhere.locator("[data-notify-toggle]").click()
    expect(elsewhere.locator("[data-notify-list]")).to_contain_text("2027 Spring intake")
    startup.get_by_role("link", name="Cohorts").click()
    shoot(startup, "en-startup-invitations")
    startup.get_by_role("button", name="Accept").click()
    expect(startup.locator(".flash-success")).to_contain_text("Welcome to 2027 Spring intake")
    operator.reload()
    expect(operator.locator("[data-column=accepted]")).to_contain_text("VoltCell Energy")
    expect(operator.locator(".capacity")).to_contain_text("1 of 3")
    shoot(operator, "en-operator-cohort-board")

    firm.goto(challenge_url)
    expect(firm.locator("section[aria-labelledby=match-facts] dd").last).to_have_text("1")


def test_a_new_startup_signs_up_and_appears_live_on_the_firms_matches(open_page, site):
    firm = open_page(FIRM)
    firm.goto(f"/challenges/{site.seed['challenges']['public']}/matches/")
    expect(firm.locator("[data-notify] [data-live-state]")).to_have_class(re.compile("is-live"))
    count = firm.locator("[data-match]").count()

    newcomer = open_page()
    newcomer.goto("/accounts/signup/")
    shoot(newcomer, "en-signup")
    newcomer.get_by_label("A startup that offers technology").check()
    newcomer.get_by_label("Organisation name").fill("HeatGuard Sensors")
    newcomer.get_by_label("Work email").fill("founder@heatguard.test")
    newcomer.get_by_label("Password").fill("a-long-enough-password")
    newcomer.get_by_role("button", name="Create account").click()
    expect(newcomer.locator("h1")).to_have_text("Check your inbox")
    url, _, _ = site.inbox.wait("founder@heatguard.test")[0].link("/accounts/verify/")
    newcomer.goto(url)
    newcomer.get_by_role("button", name="Confirm my address").click()
    expect(newcomer.locator("h1")).to_have_text("Capability profile")
    newcomer.get_by_label("One-line pitch").fill("Thermal sensors that warn before battery fires.")
    newcomer.get_by_label("Summary").fill(
        "Fibre-optic thermal sensors for battery storage containers that detect overheating "
        "cells and warn minutes before thermal runaway."
    )
    newcomer.get_by_label("Capabilities").fill("Thermal runaway early warning\nBattery monitoring")
    expect(newcomer.locator("[data-preview-text=pitch]")).to_have_text(
        "Thermal sensors that warn before battery fires."
    )
    shoot(newcomer, "en-startup-profile-editor")
    newcomer.get_by_label("Published: firms can find").check()
    newcomer.get_by_role("button", name="Save profile").click()
    expect(newcomer.locator(".flash-success")).to_contain_text("Profile saved")

    # The firm's open matches page shows the new startup without a reload.
    expect(card_for(firm, "HeatGuard Sensors")).to_be_visible(timeout=60_000)
    expect(firm.locator("[data-match]")).to_have_count(count + 1)
    # The newcomer's page says where matching stands, then shows what was found.
    newcomer.goto("/for-you/")
    expect(newcomer.locator("[data-match]").first).to_be_visible()
    expect(newcomer.locator("[data-matching-status]")).to_be_hidden()


def test_the_conversation_list_follows_and_history_scrolls_back(open_page, site):
    conversation = site.seed["long_conversation"]
    firm = open_page(FIRM)
    firm.goto("/conversations/")
    item = firm.locator(f"[data-conversation='{conversation}']")
    expect(item.locator(".unread")).to_have_text("1 unread")

    # The other side writes; the firm's list shows it without a reload.
    robotics = open_page(ROBOTICS_STARTUP)
    robotics.goto(f"/conversations/{conversation}/")
    robotics.get_by_label("Message", exact=True).fill("Are you there?")
    robotics.keyboard.press("Enter")
    expect(item.locator(".convo-last")).to_have_text("Are you there?")
    expect(item.locator(".unread")).to_have_text("2 unread")

    # The chat page shows the latest page and pages back to the first message.
    item.locator("a").click()
    messages = firm.locator(".msg[data-seq]")
    expect(messages).to_have_count(50)
    expect(messages.last).to_contain_text("Are you there?")
    firm.get_by_role("button", name="Load earlier messages").click()
    expect(messages).to_have_count(HISTORY + 1)
    expect(firm.locator("[data-chat-start]")).to_be_visible()
    seqs = messages.evaluate_all("els => els.map(e => Number(e.dataset.seq))")
    assert seqs == list(range(1, HISTORY + 2))
    expect(messages.first).to_contain_text("History message 1")


def test_a_confidential_challenge_is_not_reachable_for_an_unmatched_startup(open_page, site):
    confidential = site.seed["challenges"]["confidential"]
    outsider = open_page(UNMATCHED_STARTUP)
    response = outsider.goto(f"/challenges/{confidential}/")
    assert response.status == 404
    expect(outsider.locator("h1")).to_contain_text("does not exist")
    outsider.goto("/challenges/?q=anode+supplier")
    expect(outsider.locator(".result-list")).not_to_contain_text("anode supplier")

    matched = open_page(STARTUP)
    response = matched.goto(f"/challenges/{confidential}/")
    assert response.status == 200
    expect(matched.locator(".head-meta .pill-confidential")).to_be_visible()


def test_after_a_refused_save_the_preview_shows_what_the_form_holds(open_page):
    """Not the stored profile's name beside the refused TRL: the preview follows the form."""
    robotics = open_page(ROBOTICS_STARTUP)
    robotics.goto("/profile/")
    robotics.get_by_label("Startup name").fill("")
    robotics.get_by_label("One-line pitch").fill("Robots that read substations")
    robotics.locator("input[name=trl]").fill("12")
    robotics.locator("form[data-profile-form] button[type=submit]").first.click()
    expect(robotics.locator("[data-field=trl] .field-errors")).to_be_visible()
    expect(robotics.locator("[data-field=name] .field-errors")).to_be_visible()
    preview = robotics.locator("[data-preview]")
    expect(preview.locator('[data-preview-text="name"]')).to_have_text("")
    expect(preview.locator('[data-preview-text="pitch"]')).to_have_text(
        "Robots that read substations"
    )
    expect(preview.locator('[data-preview-text="trl"]')).to_have_text("12")


def test_form_errors_show_next_to_their_fields(open_page):
    firm = open_page(FIRM)
    firm.goto("/challenges/new/")
    firm.get_by_label("Lowest TRL").fill("7")
    firm.get_by_label("Highest TRL").fill("3")
    firm.get_by_role("button", name="Save draft").click()
    expect(firm.locator("[data-form-alert]")).to_be_visible()
    title = firm.locator("[data-field=title]")
    expect(title.locator(".field-errors")).to_contain_text("This field is required.")
    expect(title.locator("input")).to_have_attribute("aria-invalid", "true")
    expect(firm.locator("[data-field=trl_max] .field-errors")).to_contain_text(
        "The highest TRL must not be below the lowest."
    )
    expect(firm.locator("[data-field=accelerator] .field-errors")).to_have_count(0)
    shoot(firm, "en-form-errors")

    visitor = open_page()
    visitor.goto("/accounts/signup/")
    visitor.get_by_label("Organisation name").fill("Acme")
    visitor.get_by_label("Work email").fill("someone@new.test")
    visitor.get_by_label("Password").fill("12345678")
    visitor.get_by_role("button", name="Create account").click()
    expect(visitor.locator("[data-field=password] .field-errors")).to_contain_text(
        "entirely numeric"
    )


def test_the_chinese_interface(open_page, site):
    startup = open_page(STARTUP)
    startup.get_by_label("Language").select_option("zh-hans")
    expect(startup.locator("html")).to_have_attribute("lang", "zh-hans")
    nav = startup.get_by_role("navigation", name="主导航")
    for text in ("工作台", "为你推荐", "搜索", "档案", "会话"):
        expect(nav).to_contain_text(text)
    shoot(startup, "zh-startup-dashboard")
    startup.goto("/for-you/")
    expect(startup.locator("h1")).to_have_text("为你推荐")
    expect(startup.locator(".evidence-title").first).to_have_text("匹配依据")
    shoot(startup, "zh-startup-for-you")
    startup.goto("/profile/")
    expect(startup.locator("h1")).to_have_text("能力档案")
    shoot(startup, "zh-startup-profile")
    startup.goto("/challenges/?q=" + "电池快充")
    expect(startup.locator(".result-count")).to_contain_text("项需求符合")
    shoot(startup, "zh-startup-search")

    firm = open_page(FIRM, lang="zh-hans")
    expect(firm.locator("h1")).to_have_text("你的加速器")
    shoot(firm, "zh-firm-dashboard")
    firm.goto(f"/challenges/{site.seed['challenges']['public']}/matches/")
    expect(firm.locator("h1")).to_have_text("推荐的初创企业")
    shoot(firm, "zh-firm-matches")
    firm.goto("/challenges/new/")
    firm.get_by_role("button", name="保存草稿").click()
    expect(firm.locator("[data-field=title] .field-errors")).to_contain_text("该字段是必填项。")
    shoot(firm, "zh-form-errors")

    operator = open_page(OPERATOR, lang="zh-hans")
    expect(operator.locator("h1")).to_have_text("加速器与转化漏斗")
    shoot(operator, "zh-operator-overview")
    operator.goto(f"/cohorts/{site.seed['cohort']}/")
    shoot(operator, "zh-operator-cohort-board")

    visitor = open_page(lang="zh-hans")
    visitor.goto("/accounts/login/")
    expect(visitor.locator("h1")).to_have_text("登录")
    shoot(visitor, "zh-login")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_desktop_header_shows_every_place_whole(open_page, lang):
    """At a laptop's 1366 px a startup's six places and the unread count beside the last fit
    beside the bell, none cut off."""
    startup = open_page(STARTUP, lang=lang, width=1366, height=900)
    startup.goto("/for-you/")
    startup.evaluate(
        "document.querySelector('[data-unread-total]').hidden = false;"
        "document.querySelector('[data-unread-total]').textContent = '12'"
    )
    nav = startup.locator(".mainnav")
    assert nav.evaluate("el => el.scrollWidth <= el.clientWidth")
    badge = startup.locator("[data-unread-total]").bounding_box()
    bell = startup.locator("[data-notify]").bounding_box()
    assert badge["x"] + badge["width"] <= bell["x"]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_pages_fit_a_phone(open_page, site, lang):
    startup = open_page(STARTUP, lang=lang, width=390, height=844, touch=True)
    startup.goto("/for-you/")
    overflow = startup.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    # Every place of the navigation is in view: none runs off the screen.
    links = startup.locator(".mainnav a")
    assert links.count() == 6
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, i
    shoot(startup, f"{lang}-phone-for-you")
    startup.goto("/conversations/")
    shoot(startup, f"{lang}-phone-conversations")
    # On a touch screen the Send button sends: no keyboard hint, a placeholder that fits.
    # The firm's matches on a phone: the filters fold above the list, which starts on screen.
    firm = open_page(FIRM, lang=lang, width=390, height=844, touch=True)
    firm.goto(f"/challenges/{site.seed['challenges']['public']}/matches/")
    expect(firm.locator(".filters form")).to_be_hidden()
    assert firm.locator("[data-match]").first.bounding_box()["y"] < 844
    # Each card shows its best evidence pair; the others fold under one line, a tap away.
    cards = firm.locator("[data-match]")
    more = firm.locator("details[data-more-evidence]")
    assert more.count() > 0
    assert firm.locator("details[data-more-evidence][open]").count() == 0
    visible_pairs = firm.locator(".evidence-pair:visible").count()
    assert visible_pairs == firm.locator("[data-match] .evidence").count() <= cards.count()
    more.first.locator("summary").click()
    expect(more.first.locator(".evidence-pair").first).to_be_visible()
    shoot(firm, f"{lang}-phone-firm-matches")
    firm.locator(".filters summary").click()
    expect(firm.locator(".filters form")).to_be_visible()
    robotics = open_page(ROBOTICS_STARTUP, lang=lang, width=390, height=844, touch=True)
    robotics.goto(f"/conversations/{site.seed['long_conversation']}/")
    box = robotics.locator("#chat-input")
    expect(box).to_be_visible()
    expect(robotics.locator(".chat-keys")).to_be_hidden()
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    shoot(robotics, f"{lang}-phone-chat")


def test_a_chinese_challenge_is_proposed_startups_in_both_languages(open_page, site):
    firm = open_page(FIRM, lang="zh-hans")
    firm.get_by_role("link", name="发布需求").first.click()
    firm.locator("#id_title").fill("电动公交车动力电池快充")
    firm.locator("#id_problem_statement").fill(
        "我们的电动公交车需要在场站十分钟内充到百分之八十的锂离子电池电芯，并在炎热夏季保持长循环寿命。"
    )
    firm.locator("#id_required_capabilities").fill("快充锂离子电芯设计\n电池循环寿命测试")
    firm.get_by_role("button", name="保存并发布").click()
    expect(firm.locator("h1")).to_have_text("电动公交车动力电池快充")

    firm.get_by_role("link", name="查看匹配").first.click()
    # Its English and its Chinese battery startups, each with a sentence pair as evidence.
    english = card_for(firm, "VoltCell Energy")
    chinese = card_for(firm, "沪芯储能科技")
    expect(english).to_be_visible(timeout=60_000)
    expect(chinese).to_be_visible()
    # The Open tab counts the proposals that arrived live, without a reload.
    expect(firm.locator('[data-tab-count="open"]')).to_have_text(re.compile(r"^[1-9][0-9]*$"))
    expect(english.locator(".evidence-pair").first).to_be_visible()
    expect(english.locator(".evidence-pair .ev-cap").first).to_contain_text(re.compile("[A-Za-z]"))
    expect(chinese.locator(".evidence-pair .ev-cap").first).to_contain_text(
        re.compile("[\u4e00-\u9fff]")
    )
    shoot(firm, "zh-firm-chinese-challenge-matches")


@pytest.mark.parametrize(
    ("lang", "declined", "moved"),
    [("en", "Declined", "it is now under Declined"), ("zh-hans", "已婉拒", "已移至“已婉拒”")],
)
def test_not_for_us_moves_the_card_to_declined_in_place(open_page, site, lang, declined, moved):
    """The card leaves Open and both tabs' counts follow, without a reload; one toast says so."""
    firm = open_page(FIRM, lang=lang)
    firm.goto(f"/challenges/{site.seed['challenges']['public']}/matches/")
    expect(firm.locator(".filters form")).to_be_visible()  # room beside the list: open
    counts = {tab: firm.locator(f'[data-tab-count="{tab}"]') for tab in ("open", "declined")}
    before = {tab: int(count.inner_text()) for tab, count in counts.items()}
    card = firm.locator("[data-match]").last
    match_id = card.get_attribute("data-match")
    card.locator("summary.button").click()
    card.locator("select[name=reason_code]").select_option("timing")
    card.locator(".decline-form button[type=submit]").click()
    expect(firm.locator(f"#match-{match_id}")).to_have_count(0)
    expect(counts["open"]).to_have_text(str(before["open"] - 1))
    expect(counts["declined"]).to_have_text(str(before["declined"] + 1))
    firm.wait_for_timeout(1500)  # the decline's own event arrives meanwhile: no second toast
    expect(firm.locator(".toast")).to_have_count(1)
    expect(firm.locator(".toast")).to_contain_text(moved)
    shoot(firm, f"{lang}-firm-declined-in-place")
    firm.get_by_role("link", name=re.compile(declined)).click()
    expect(firm.locator(f"#match-{match_id}")).to_be_visible()


def test_switching_language_keeps_what_was_typed(open_page):
    firm = open_page(FIRM)
    firm.goto("/challenges/new/")
    firm.get_by_label("Title").fill("Cold-chain sensors for vaccines")
    firm.get_by_label("Problem statement").fill("Temperature loggers that report every minute.")
    firm.locator("#lang-select").select_option("zh-hans")
    expect(firm.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(firm.locator("input[name=title]")).to_have_value("Cold-chain sensors for vaccines")
    expect(firm.locator("textarea[name=problem_statement]")).to_have_value(
        "Temperature loggers that report every minute."
    )
    # Once back, the draft is spent: a later visit starts empty.
    firm.goto("/challenges/new/")
    expect(firm.locator("input[name=title]")).to_have_value("")


def test_switching_language_keeps_a_refused_forms_errors_and_saves_nothing(open_page):
    startup = open_page(UNMATCHED_STARTUP)
    startup.goto("/profile/")
    startup.get_by_label("Name").fill("Quiet Newcomer Labs")
    startup.locator("input[name=trl]").fill("12")
    startup.get_by_role("button", name="Save profile").click()
    error = startup.locator('[data-field="trl"] .field-errors')
    expect(error).to_contain_text("9")
    english = error.inner_text()
    # Switched untouched: the same values come back with their errors, now in Chinese.
    startup.locator("#lang-select").select_option("zh-hans")
    expect(startup.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(startup.locator("input[name=trl]")).to_have_value("12")
    expect(error).to_contain_text("9")
    assert error.inner_text() != english
    expect(startup.locator("[data-form-alert]")).to_be_visible()
    # Corrected, then switched: what was typed comes back, and nothing is sent or saved.
    startup.locator("input[name=trl]").fill("5")
    startup.locator("#lang-select").select_option("en")
    expect(startup.locator("html")).to_have_attribute("lang", "en")
    expect(startup.locator("input[name=trl]")).to_have_value("5")
    expect(startup.locator("[data-form-alert]")).to_have_count(0)
    expect(startup.locator(".flash-success")).to_have_count(0)
    startup.reload()
    expect(startup.locator("input[name=trl]")).to_have_value("")
