"""Every main page runs under the strict Content-Security-Policy with no violation.

A real Chromium visits the pages of a partner, a CAM and programme staff (Django admin
included) and of nobody (login); an init script records every `securitypolicyviolation`
event, and console errors are collected too. Any inline script, inline handler or
style="…" attribute left in a template shows up here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from portal.models import Tier
from tests.factories import DomainRegistrationFactory
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, snapshot_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations and console errors; `check(url)` visits and asserts none."""
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    # The browser asks for /favicon.ico on its own; there is none, and that is not a page's error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page.on("response", lambda r: console.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def check(url: str, settle: str = "networkidle", skip: tuple[int, ...] = ()) -> None:
        console.clear()
        response = page.goto(url)
        if response.status in skip:
            return
        page.wait_for_load_state(settle)
        assert response.status == 200, (url, response.status)
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), url
        violations = page.evaluate("window.__csp")
        assert violations == [], (url, violations)
        assert console == [], (url, console)

    return check


@pytest.fixture
def partner_with_history(partner):
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    rule_set = rule_set_make(effective_from=dt.date(2020, 1, 1))
    for i, month in enumerate(months_back(last.replace(day=1), 13)):
        snapshot_make(
            partner=partner,
            month=month,
            rule_set=rule_set,
            sales=Decimal(300 + 10 * i),
            managed=Decimal(400 + 10 * i),
            tier=Tier.GOLD if i % 2 else Tier.SOLUTIONS_PARTNER,
        )
    mrr_make(partner=partner, month=last.replace(day=1), domain="=cmd.example", sold=1000, managed=2000)
    DomainRegistrationFactory(partner=partner, domain="pending.example")
    DomainRegistrationFactory(partner=partner, domain="live.example", status="registered")
    return partner


def test_no_csp_violation_on_any_main_page(
    browser_login, live_server, watched, page, partner_admin, cam, staff, partner_with_history
):
    base = live_server.url
    watched(f"{base}{reverse('login')}")

    browser_login(partner_admin)
    partner_pages = [
        "home",
        "tiers:dashboard",
        "registrations:capacity",
        "registrations:deals",
        "community:index",
        "community:hug-directory",
        "community:deib",
        "community:black-at-inbound",
        "enablement:index",
        "team",
        "api:tokens",
        "password_change",
    ]
    for name in partner_pages:
        watched(f"{base}{reverse(name)}")
    # The bars are drawn by static/js/portal.js from data-width (no style attribute in the markup).
    watched(f"{base}{reverse('registrations:capacity')}")
    assert page.locator("[data-width]").first.evaluate("el => el.style.width").endswith("%")
    # The language switch submits itself through portal.js (no onchange attribute).
    with page.expect_navigation():
        page.select_option("#language", "ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.evaluate("window.__csp") == []
    with page.expect_navigation():
        page.select_option("#language", "en")

    page.context.clear_cookies()
    browser_login(cam)
    for url in [
        reverse("home"),
        reverse("tiers:book"),
        reverse("registrations:queue"),
        reverse("tiers:partner-dashboard", args=[partner_with_history.partner_id]),
        reverse("api:tokens"),
    ]:
        watched(f"{base}{url}")

    page.context.clear_cookies()
    browser_login(staff)
    for url in [
        reverse("home"),
        reverse("tiers:whatif"),
        reverse("community:review"),
        reverse("enablement:awards"),
        reverse("admin:index"),
        reverse("admin:portal_partner_changelist"),
        reverse("admin:portal_partner_change", args=[partner_with_history.pk]),
        reverse("admin:portal_user_change", args=[partner_admin.pk]),
        reverse("admin:portal_user_add"),
    ]:
        watched(f"{base}{url}")


def test_no_csp_violation_on_any_admin_add_form(browser_login, live_server, watched, staff):
    """Admin's own widgets and inlines (autocomplete, calendars, filter boxes) run from its static files."""
    base = live_server.url
    browser_login(staff)
    # 403 where adding is refused for the model (history, tokens, …).
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        watched(f"{base}{url}", settle="load", skip=(403,))
