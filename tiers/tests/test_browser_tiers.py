"""A real browser through the tier pages: partner and CAM (Playwright on the system Chromium)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Tier
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, snapshot_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def tier_data(partner):
    """Twelve evaluated months up to last month; three customers last month (one in Brazil, an emerging market)."""
    partner.tier = Tier.GOLD
    partner.tier_since = dt.date(2025, 1, 15)
    partner.save()
    rule_set = rule_set_make()
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for i, month in enumerate(months_back(last, 12)):
        snapshot_make(
            partner=partner,
            month=month,
            rule_set=rule_set,
            sales=Decimal(400 + 20 * i),
            managed=Decimal(500 + 10 * i),
            tier=Tier.GOLD,
        )
    mrr_make(partner=partner, month=last, domain="tokyo.example", country="JP", currency="JPY", sold=120000)
    mrr_make(partner=partner, month=last, domain="saopaulo.example", country="BR", sold=1000)
    mrr_make(partner=partner, month=last, domain="austin.example", country="US", managed=5000)
    return partner


def _dashboard_flow(page, dashboard_url: str, tmp_path) -> None:
    page.goto(dashboard_url)
    chart = page.locator("[data-testid=points-chart] svg")
    chart.wait_for(state="visible")
    assert chart.bounding_box()["height"] > 100
    rows = page.locator("[data-testid=breakdown-row]")
    assert rows.count() == 3
    # Filter to emerging-market customers: htmx swaps the table in place.
    page.select_option("#id_em", "yes")
    # (expect, not wait_for_function: the page's CSP forbids the eval a string predicate needs)
    expect(rows).to_have_count(1)
    assert "saopaulo.example" in rows.first.inner_text()
    with page.expect_download() as download_info:
        page.click("[data-testid=csv-export]")
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    lines = path.read_text().strip().splitlines()
    assert lines[0].startswith("Domain,Country")
    assert len(lines) == 2 and lines[1].startswith("saopaulo.example,BR,yes,USD")
    page.select_option("#language", "ja")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "顧客別ポイント" in page.locator("main").inner_text()


def test_partner_reads_dashboard_filters_exports_and_switches_to_japanese(
    browser_login, partner_admin, tier_data, live_server, tmp_path
):
    page = browser_login(partner_admin)
    page.click("nav >> text=My tier")
    page.wait_for_url(f"{live_server.url}/tiers/")
    assert "You keep Gold" in page.locator("[data-testid=reassessment]").inner_text()
    _dashboard_flow(page, f"{live_server.url}/tiers/", tmp_path)


def test_cam_opens_a_partner_from_the_book(browser_login, cam, tier_data, live_server, tmp_path):
    page = browser_login(cam)
    page.click("nav >> text=My book")
    page.wait_for_url(f"{live_server.url}/tiers/book/")
    page.click(f"text={tier_data.name}")
    page.wait_for_url(f"{live_server.url}/tiers/partners/{tier_data.partner_id}/")
    assert "Read-only view" in page.locator(".readonly").inner_text()
    _dashboard_flow(page, page.url, tmp_path)
