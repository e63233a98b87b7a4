"""Every form of the portal in a real browser: errors appear beside the field, success changes the page.

Playwright on Debian's Chromium, in English and Japanese (the `django_language` cookie or the
language selector). Each test walks several forms with one login to keep the suite short.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import (
    DeibApplication,
    DeibCohort,
    HugGroup,
    HugLeaderApplication,
    PugApplication,
    PugGroup,
    PugReviewCycle,
)
from enablement.models import ImpactAward
from portal.models import User
from registrations.models import Deal, DealNote, DomainRegistration, RegistrationStatus
from tests.browser_login import log_in
from tests.factories import DealFactory, PartnerFactory, PartnerUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _use_language(page, live_server, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def _register(page, domain: str) -> None:
    page.fill("#id_domain", domain)
    page.click("form[hx-post$='/registrations/'] button[type=submit]")


def _field_error(page, field_id: str):
    """The error list under a field (Django names it `<field id>_error`)."""
    return page.locator(f"#{field_id}_error")


def _wait_for_error(page, field_id: str, text: str) -> None:
    """Wait until htmx has swapped in an error under the field that mentions `text`.

    (expect, not wait_for_function: the page's CSP forbids the eval a string predicate needs.)"""
    expect(page.locator(f"#{field_id}_error")).to_contain_text(text)


def _shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def _registrations(partner, n: int, *, prefix: str) -> None:
    now = timezone.now()
    DomainRegistration.objects.bulk_create(
        DomainRegistration(
            partner=partner,
            domain=f"{prefix}{i}.com",
            status=RegistrationStatus.REGISTERED,
            submitted_at=now,
            expires_on=timezone.localdate() + dt.timedelta(days=120),
        )
        for i in range(n)
    )


def test_domain_errors_appear_beside_the_field_in_both_languages(
    browser_login, partner_admin, other_partner, live_server, tmp_path
):
    _registrations(other_partner, 1, prefix="held-by-other")
    page = browser_login(partner_admin)
    page.goto(f"{live_server.url}/registrations/")

    # 1. Not a domain, localhost, someone else's domain: each error shows under the field.
    error = _field_error(page, "id_domain")
    _register(page, "not a domain!!")
    error.wait_for()
    assert error.inner_text().strip().endswith(".")
    assert error.inner_text()[0].isupper()
    assert page.locator("#id_domain").get_attribute("aria-invalid") == "true"
    _register(page, "localhost")
    expect(page.locator("#id_domain")).to_have_value("localhost")
    expect(error).to_contain_text("localhost")
    assert "domain" in error.inner_text().lower()
    _register(page, "https://www.held-by-other0.com/")
    _wait_for_error(page, "id_domain", "held-by-other0.com")
    assert error.inner_text() == "held-by-other0.com is unavailable — held by another partner."
    assert not DomainRegistration.objects.filter(partner=partner_admin.partner).exists()

    # 2. An internationalised name: the message and the list show Unicode, punycode only beside it.
    _register(page, "例え.jp")
    page.locator(".msg-success").wait_for()
    assert "例え.jp was submitted for approval." in page.locator(".msg-success").inner_text()
    row = page.locator("#registration-list tr", has_text="例え.jp")
    assert "xn--r8jz45g.jp" in row.locator(".punycode").inner_text()
    assert DomainRegistration.objects.get(partner=partner_admin.partner).domain == "xn--r8jz45g.jp"
    _shot(page, tmp_path, "domains-en")

    # 3. At the cap (10 for a partner without a tier): Register is off and says why; a stale
    #    page that still posts gets the refusal beside the field.
    _registrations(partner_admin.partner, 8, prefix="mine")
    _register(page, "one-more.com")
    page.locator("#registration-list tr", has_text="one-more.com").wait_for()
    assert page.locator("#used-cap").inner_text() == "10 / 10"
    register = page.locator("form[hx-post$='/registrations/'] button[type=submit]")
    assert register.is_disabled()
    reason = page.locator("#register-blocked")
    assert reason.is_visible() and "Release a domain first." in reason.inner_text()
    assert register.get_attribute("aria-describedby") == "register-blocked"
    page.evaluate("document.querySelector(\"form[hx-post$='/registrations/'] button[type=submit]\").disabled = false")
    _register(page, "over-the-cap.com")
    _wait_for_error(page, "id_domain", "cap")
    assert _field_error(page, "id_domain").inner_text() == (
        "Your organisation is at its registration cap (10): release a domain first."
    )
    assert not DomainRegistration.objects.filter(domain="over-the-cap.com").exists()
    _shot(page, tmp_path, "domains-at-cap-en")

    # 4. Japanese: the same errors, in Japanese, under the field; Unicode domain; Japanese dates.
    DomainRegistration.objects.filter(domain__startswith="mine").delete()
    _use_language(page, live_server, "ja")
    page.goto(f"{live_server.url}/registrations/")
    _register(page, "localhost")
    error = _field_error(page, "id_domain")
    error.wait_for()
    text = error.inner_text()
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert text.strip().endswith("。")
    row = page.locator("#registration-list tr", has_text="例え.jp")
    today = timezone.localtime(timezone=zoneinfo.ZoneInfo("Asia/Tokyo")).date()  # a Japan partner reads JST
    assert f"{today.year}年{today.month}月{today.day}日" in row.inner_text()
    _shot(page, tmp_path, "domains-ja")


def test_deal_form_money_dates_and_notes(browser_login, partner_admin, live_server, tmp_path):
    page = browser_login(partner_admin)
    page.goto(f"{live_server.url}/registrations/deals/")

    # A Japanese partner's deal form starts in yen, with a real date picker.
    assert page.locator("#id_currency").input_value() == "JPY"
    assert page.locator("#id_expected_close_on").get_attribute("type") == "date"

    # 1. Nothing filled in: errors under each required field, at the top nothing is lost.
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert _field_error(page, "id_company_name").is_visible()
    assert _field_error(page, "id_products").is_visible()
    assert _field_error(page, "id_expected_close_on").is_visible()

    # 2. Yen with decimals is refused with a message naming the rule.
    page.fill("#id_company_name", "Kaisha KK")
    page.check("input[name=products][value=marketing]")
    page.fill("#id_expected_mrr", "480000.5")
    page.fill("#id_expected_close_on", "2026-11-28")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    error = _field_error(page, "id_expected_mrr")
    assert "JPY amounts have no decimals" in error.inner_text()
    assert not Deal.objects.exists()

    # 3. Success: the deal page shows yen without minor units and the English date style.
    page.fill("#id_expected_mrr", "480000")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/registrations/deals/*/")
    facts = page.locator(".facts").inner_text()
    assert "¥480,000" in facts and "480000.00" not in facts
    assert "28 Nov 2026" in facts

    # 4. An empty note shows an error in the form; a real one joins the thread.
    page.click("#notes button[type=submit]")
    note_error = _field_error(page, "id_body")
    note_error.wait_for()
    assert note_error.inner_text().strip() == "Write a note first."
    page.fill("#id_body", "Kick-off on Monday.")
    page.click("#notes button[type=submit]")
    page.locator(".notes li", has_text="Kick-off on Monday.").wait_for()
    assert not note_error.is_visible()
    assert DealNote.objects.count() == 1

    # 5. Japanese: full-width yen sign, Japanese date, Japanese note error.
    _use_language(page, live_server, "ja")
    page.reload()
    facts = page.locator(".facts").inner_text()
    assert "￥480,000" in facts
    assert "2026年11月28日" in facts
    page.click("#notes button[type=submit]")
    note_error.wait_for()
    assert note_error.inner_text().strip() == "先にメモを入力してください。"
    _shot(page, tmp_path, "deal-ja")


def test_community_team_and_token_forms(browser_login, partner_admin, partner_member, live_server, tmp_path):
    today = timezone.localdate()
    DeibCohort.objects.create(
        name="Browser cohort",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        capacity=5,
    )
    hug = HugGroup.objects.create(name="Osaka CRM HUG", topic="crm", region="japan", language="ja", format="online")
    page = browser_login(partner_admin)

    # 1. DEI&B: laid out (checkbox beside its label), consent required beside the box.
    page.goto(f"{live_server.url}/community/deib/")
    consent = page.locator("#id_consent")
    consent_label = page.locator("label[for=id_consent]")
    assert abs(consent.bounding_box()["y"] - consent_label.bounding_box()["y"]) < 20
    statement = page.locator("#id_statement").bounding_box()
    assert page.locator("label[for=id_statement]").bounding_box()["y"] < statement["y"]
    page.fill("#id_statement", "Founded by two first-generation owners.")
    with page.expect_navigation():
        page.click("#deib-form button[type=submit]")
    assert "Tick the consent box" in _field_error(page, "id_consent").inner_text()
    assert page.locator("#id_statement").input_value() == "Founded by two first-generation owners."
    _shot(page, tmp_path, "deib-error-en")
    page.check("#id_consent")
    page.click("#deib-form button[type=submit]")
    page.wait_for_url("**/community/deib/")
    page.locator("#deib-application").wait_for()
    assert DeibApplication.objects.count() == 1

    # 2. HUG lead: the second application is refused at the top of the form.
    page.goto(f"{live_server.url}/community/hug/{hug.pk}/")
    page.fill("#id_motivation", "We run CRM workshops in Osaka.")
    page.click("#hug-lead-form button[type=submit]")
    page.locator(".msg-success").wait_for()
    page.fill("#id_motivation", "Again.")
    with page.expect_navigation():
        page.click("#hug-lead-form button[type=submit]")
    assert "already applied to lead Osaka CRM HUG" in page.locator("#hug-lead-form .form-errors").inner_text()
    assert HugLeaderApplication.objects.count() == 1

    # 3. Team: a bad email beside the field; deactivation is not primary and asks first.
    page.goto(f"{live_server.url}/team/")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_full_name", "New Colleague")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert _field_error(page, "id_email").is_visible()
    row = page.locator(f"#member-{partner_member.pk}")
    deactivate = row.get_by_role("button", name="Deactivate")
    assert "danger" in deactivate.get_attribute("class")
    deactivate.click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert partner_member.email in dialog.inner_text()
    dialog.get_by_role("button", name="Cancel").click()
    assert User.objects.get(pk=partner_member.pk).is_active
    deactivate.click()
    dialog.get_by_role("button", name="Deactivate").click()
    row.get_by_text("Deactivated").wait_for()
    assert not User.objects.get(pk=partner_member.pk).is_active

    # 4. API token: empty name refused beside the field; a new token has a copy button.
    page.goto(f"{live_server.url}/api/v1/tokens/")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert _field_error(page, "id_name").is_visible()
    page.fill("#id_name", "CRM sync")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    token = page.locator("#new-token").input_value()
    assert len(token) > 20
    copy = page.get_by_role("button", name="Copy")
    assert copy.is_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    copy.click()
    page.get_by_role("button", name="Copied").wait_for()
    _shot(page, tmp_path, "token-en")

    # 5. Japanese: the DEI&B withdrawal page and the team errors read in Japanese.
    _use_language(page, live_server, "ja")
    page.goto(f"{live_server.url}/team/")
    page.fill("#id_email", "not-an-email")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "有効なメールアドレス" in _field_error(page, "id_email").inner_text()
    assert _field_error(page, "id_full_name").inner_text().strip() == "このフィールドは必須です。"


def test_team_deactivation_without_javascript_uses_a_confirmation_page(
    browser, partner_admin, partner_member, live_server
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, partner_admin, submit="main button[type=submit]")
    page.goto(f"{live_server.url}/team/")
    page.locator(f"#member-{partner_member.pk}").get_by_role("button", name="Deactivate").click()
    page.get_by_role("heading", name="Deactivate a login").wait_for()
    assert User.objects.get(pk=partner_member.pk).is_active
    page.get_by_role("button", name="Deactivate").click()
    page.wait_for_url("**/team/")
    assert not User.objects.get(pk=partner_member.pk).is_active
    context.close()


def test_cam_and_staff_forms_show_their_errors(browser_login, partner_admin, cam, staff, live_server, tmp_path):
    DomainRegistration.objects.create(
        partner=partner_admin.partner,
        domain="xn--r8jz45g.jp",
        status=RegistrationStatus.PENDING,
        submitted_at=timezone.now(),
    )
    DealFactory(
        partner=partner_admin.partner, company_name="Yen Deal KK", expected_mrr=Decimal("480000"), currency="JPY"
    )
    today = timezone.localdate()
    cycle = PugReviewCycle.objects.create(
        name="Review cycle",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=20),
        cohort_starts_on=today + dt.timedelta(days=30),
        cohort_ends_on=today + dt.timedelta(days=210),
    )
    group = PugGroup.objects.create(
        name="Ops leaders Japan", role="operations", region="japan", champion="Hiro Sato", meeting_cadence="Monthly"
    )
    application = PugApplication.objects.create(group=group, cycle=cycle, partner=partner_admin.partner)
    page = browser_login(cam)
    page.goto(f"{live_server.url}/registrations/queue/")

    # 1. The queue reads the domain in Unicode and the deal in yen.
    queue = page.locator("#queue").inner_text()
    assert "例え.jp" in queue and "¥480,000" in queue

    # 2. Rejecting without a reason: the refusal appears in the row, nothing changes.
    row = page.locator("tr", has_text="例え.jp")
    row.get_by_role("button", name="Reject").click()
    alert = page.locator("tr[id^=domain-] [role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "A reason is required to reject a registration."
    assert DomainRegistration.objects.get().status == RegistrationStatus.PENDING
    page.locator("tr[id^=domain-] input[name=reason]").fill("Not a fit.")
    page.locator("tr[id^=domain-]").get_by_role("button", name="Reject").click()
    page.locator("tr[id^=domain-] [data-status=rejected]").wait_for()

    # 3. Japanese: the deal's refusal in Japanese.
    _use_language(page, live_server, "ja")
    page.reload()
    deal_row = page.locator("tr[id^=deal-]")
    deal_row.get_by_role("button", name="却下").click()
    deal_row.locator("[role=alert]").wait_for()
    assert deal_row.locator("[role=alert]").inner_text().endswith("。")
    _shot(page, tmp_path, "queue-ja")
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")

    # 4. Staff nominate by hand: laid out, errors beside the fields, success in the list.
    _use_language(page, live_server, "en")
    page = browser_login(staff)
    page.goto(f"{live_server.url}/enablement/awards/?region=japan")
    form = page.locator("#nominate-form")
    assert (
        form.locator("label[for=id_partner_id]").bounding_box()["y"]
        < form.locator("#id_partner_id").bounding_box()["y"]
    )
    with page.expect_navigation():
        form.get_by_role("button", name="Nominate").click()
    assert "Enter the partner ID" in _field_error(page, "id_partner_id").inner_text()
    page.fill("#id_partner_id", "P99999")
    with page.expect_navigation():
        page.locator("#nominate-form").get_by_role("button", name="Nominate").click()
    assert "No partner has the ID P99999." in _field_error(page, "id_partner_id").inner_text()
    page.fill("#id_partner_id", partner_admin.partner.partner_id)
    page.fill("#id_citation", "Outstanding onboarding.")
    page.locator("#nominate-form").get_by_role("button", name="Nominate").click()
    page.locator(".msg-success").wait_for()
    assert "Own Agency" in page.locator("#awards").inner_text()
    assert ImpactAward.objects.count() == 1
    _shot(page, tmp_path, "awards-en")

    # 5. Staff review: declining without a reason is refused in the row; with one it is decided.
    page.goto(f"{live_server.url}/community/review/")
    row = page.locator(f"#pug-app-{application.pk}")
    row.get_by_role("button", name="Decline").click()
    row.locator("[role=alert]").wait_for()
    assert row.locator("[role=alert]").inner_text() == "Give a reason when you decline an application."
    row.locator("input[name=reason]").fill("Group is for operations leads.")
    row.get_by_role("button", name="Decline").click()
    page.locator(f"#pug-app-{application.pk}", has_text="Declined").wait_for()

    # 6. Staff what-if: a month without data is named beside the field, in Japanese too.
    _use_language(page, live_server, "ja")
    page.goto(f"{live_server.url}/tiers/whatif/?month=1999-01-01")
    month_error = page.locator("[data-testid=whatif-form] .errorlist", has_text="顧客データのある月を選んでください。")
    assert month_error.is_visible()


def test_japanese_partner_sees_times_in_jst(browser_login, live_server):
    partner = PartnerFactory(country="JP", region="japan")
    user = PartnerUserFactory(partner=partner, role="partner_admin")
    deal = DealFactory(
        partner=partner,
        company_name="Late Night KK",
        expected_mrr=Decimal("1556"),
        currency="GBP",
        expected_close_on=dt.date(2027, 4, 9),
    )
    DealNote.objects.create(
        deal=deal, author=user, body="Called at 23:30 UTC.", created_at=dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)
    )
    page = browser_login(user)
    page.goto(f"{live_server.url}/registrations/deals/{deal.pk}/")
    notes = page.locator(".notes").inner_text()
    assert "29 Nov 2026, 08:30" in notes  # 23:30 UTC is 08:30 the next morning in Tokyo
    assert "£1,556.00" in page.locator(".facts").inner_text()
    assert "9 Apr 2027" in page.locator(".facts").inner_text()
