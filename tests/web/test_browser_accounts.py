"""Account journeys in a real browser, with the mail the server really sends (an SMTP server run
by the tests): sign up -> mailed link -> verified -> sign in; forgot password -> mail -> new
password -> sign in. In English and in Chinese."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.web.seed import OPERATOR
from tests.web.shots import shoot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-enough-password"
NEW_PASSWORD = "another-long-password"

TEXT = {
    "en": {
        "firm": "A firm that posts technology challenges",
        "organisation": "Organisation name",
        "email": "Work email",
        "password": "Password",
        "create": "Create account",
        "inbox": "Check your inbox",
        "unverified": "Verify your email address first",
        "confirm": "Confirm my address",
        "verified": "Your address is verified.",
        "spent": "This link is invalid or has already been used.",
        "forgot": "Forgot your password?",
        "mail_me": "Mail me a link",
        "set_password": "Set password",
        "password_set": "Password set",
        "subject_verify": "Verify your address for Cohortis",
        "subject_reset": "Set a new password for Cohortis",
        "dashboard": "Your accelerators",
    },
    "zh-hans": {
        "firm": "发布技术需求的企业",
        "organisation": "机构名称",
        "email": "工作邮箱",
        "password": "密码",
        "create": "注册",
        "inbox": "请查收邮件",
        "unverified": "请先验证你的邮箱地址",
        "confirm": "确认我的邮箱地址",
        "verified": "邮箱地址已验证。",
        "spent": "此链接无效或已被使用。",
        "forgot": "忘记密码？",
        "mail_me": "发送链接",
        "set_password": "设置密码",
        "password_set": "密码已设置",
        "subject_verify": "验证你在 Cohortis 的邮箱地址",
        "subject_reset": "设置你的 Cohortis 新密码",
        "dashboard": "你的加速器",
    },
}


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form.stack button[type=submit]").click()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_sign_up_then_the_mailed_link_verifies_and_signs_in(open_page, site, lang):
    t, email = TEXT[lang], f"founder-{lang}@lingang.test"
    page = open_page(lang=lang)
    page.goto("/accounts/signup/")
    page.get_by_label(t["firm"]).check()
    page.get_by_label(t["organisation"]).fill(f"Lingang Grid {lang}")
    page.get_by_label(t["email"]).fill(email)
    page.get_by_label(t["password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["create"]).click()
    expect(page.locator("h1")).to_have_text(t["inbox"])
    shoot(page, f"{lang}-signup-sent")

    # Not before the address is verified (said only to whoever knows the password).
    sign_in(page, email, PASSWORD)
    expect(page.locator("[data-form-alert]")).to_contain_text(t["unverified"])

    (mail,) = site.inbox.wait(email)
    assert mail.subject == t["subject_verify"]
    url, _, _ = mail.link("/accounts/verify/")
    page.goto(url)
    shoot(page, f"{lang}-verify-email")
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.locator(".flash-success")).to_contain_text(t["verified"])
    expect(page.locator("h1")).to_have_text(t["dashboard"])

    # The link is spent; the password signs in from now on.
    again = open_page(lang=lang)
    again.goto(url)
    expect(again.locator("[data-form-alert]")).to_have_text(t["spent"])
    sign_in(again, email, PASSWORD)
    expect(again.locator("h1")).to_have_text(t["dashboard"])


def api_sign_up_verified(site, email: str, lang: str) -> None:
    """An account made through the API in `lang` and verified through its mailed link."""

    def post(path: str, body: dict) -> None:
        request = urllib.request.Request(
            site.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept-Language": lang},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=30).close()

    post(
        "/api/auth/signup/",
        {"email": email, "password": PASSWORD, "organization_name": "Reset", "kind": "enterprise"},
    )
    _, uid, token = site.inbox.wait(email)[0].link("/accounts/verify/")
    post("/api/auth/verify-email/", {"uid": uid, "token": token})


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_forgotten_password_is_set_again_through_the_mailed_link(open_page, site, lang):
    t, email = TEXT[lang], f"forgetful-{lang}@lingang.test"
    api_sign_up_verified(site, email, lang)
    page = open_page(lang=lang)
    page.goto("/accounts/login/")
    page.get_by_role("link", name=t["forgot"]).click()
    page.locator("input[name=email]").fill(email)
    shoot(page, f"{lang}-password-reset")
    page.get_by_role("button", name=t["mail_me"]).click()
    expect(page.locator("h1")).to_have_text(t["inbox"])

    mail = site.inbox.wait(email, 2)[1]
    assert mail.subject == t["subject_reset"]
    url, _, _ = mail.link("/accounts/password-reset/")
    page.goto(url)
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    shoot(page, f"{lang}-password-reset-confirm")
    page.get_by_role("button", name=t["set_password"]).click()
    expect(page.locator("h1")).to_have_text(t["password_set"])

    sign_in(page, email, NEW_PASSWORD)
    expect(page.locator("h1")).to_have_text(t["dashboard"])
    spent = open_page(lang=lang)
    spent.goto(url)
    expect(spent.locator("[data-form-alert]")).to_have_text(t["spent"])


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_mail_settings_are_reached_from_the_bell_and_saved(open_page, lang):
    labels = {
        "en": (
            "Mail settings",
            "Not by mail",
            "Save mail settings",
            "Your mail settings are saved.",
        ),
        "zh-hans": ("邮件设置", "不发邮件", "保存邮件设置", "邮件设置已保存。"),
    }
    title, off, save, saved = labels[lang]
    page = open_page(OPERATOR, lang=lang)
    page.locator("[data-notify-toggle]").click()
    page.get_by_role("link", name=title).click()
    expect(page.locator("h1")).to_have_text(title)
    group = page.locator("[data-field=new_matches]")
    group.get_by_label(off).check()
    shoot(page, f"{lang}-mail-settings")
    page.get_by_role("button", name=save).click()
    expect(page.locator(".flash-success")).to_contain_text(saved)
    expect(page.locator("[data-field=new_matches]").get_by_label(off)).to_be_checked()
