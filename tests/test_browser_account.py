"""The account page in a real browser: a partner chooses their emails and language, in English and
Japanese, sees the page in the language they chose, and gets it again at their next login."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.models import EmailKind, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _save(page) -> None:
    page.click("#account-form button[type=submit]")
    page.locator(".msg-success").wait_for()


def test_a_partner_chooses_emails_and_language_and_sees_the_page_in_it(
    browser_login, partner_member, live_server, tmp_path
):
    page = browser_login(partner_member)
    page.goto(f"{live_server.url}/accounts/settings/")
    expect(page.locator("h1")).to_have_text("Your account")
    # A partner in Japan reads Japanese emails until they choose; service emails cannot be turned off.
    expect(page.locator("#id_language")).to_have_value("ja")
    expect(page.locator("#service-emails")).to_contain_text("cannot be turned off")

    # 1. In English: stop the expiry reminders, keep English.
    page.locator("input[name=emails][value=expiry_reminders]").uncheck()
    page.select_option("#id_language", "en")
    _save(page)
    expect(page.locator(".msg-success")).to_have_text("Your choices are saved.")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("input[name=emails][value=expiry_reminders]")).not_to_be_checked()
    expect(page.locator("input[name=emails][value=registration_decisions]")).to_be_checked()
    user = User.objects.get(pk=partner_member.pk)
    assert user.language == "en"
    assert list(user.email_opt_outs.values_list("kind", flat=True)) == [EmailKind.EXPIRY_REMINDERS]
    page.screenshot(path=str(tmp_path / "account-en.png"), full_page=True)

    # 2. Switch to Japanese and also stop the award emails: the page answers in Japanese.
    page.select_option("#id_language", "ja")
    page.locator("input[name=emails][value=awards]").uncheck()
    _save(page)
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.locator("h1")).to_have_text("アカウント")
    expect(page.locator(".msg-success")).to_have_text("設定を保存しました。")
    expect(page.locator("#service-emails")).to_contain_text("停止できません")
    expect(page.locator("label[for=id_emails_0]")).to_have_text("ドメイン登録の審査結果")
    user.refresh_from_db()
    assert user.language == "ja"
    assert set(user.email_opt_outs.values_list("kind", flat=True)) == {EmailKind.EXPIRY_REMINDERS, EmailKind.AWARDS}
    page.screenshot(path=str(tmp_path / "account-ja.png"), full_page=True)

    # 3. A fresh browser: the login itself brings the chosen language back.
    page.context.clear_cookies()
    page = browser_login(partner_member)
    assert page.locator("html").get_attribute("lang") == "ja"
    page.goto(f"{live_server.url}/accounts/settings/")
    expect(page.locator("h1")).to_have_text("アカウント")
    expect(page.locator("#id_language")).to_have_value("ja")
    expect(page.locator("input[name=emails][value=awards]")).not_to_be_checked()
