"""The programme overview in a real browser: charts drawn in English and Japanese, desktop and phone, no sideways scroll."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.models import Tier
from portal.months import add_months, month_start
from tests.browser_login import log_in
from tests.factories import PartnerFactory
from tiers.models import TierChange
from tiers.tests.dashboard_factories import rule_set_make, snapshot_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def programme(db):
    rule_set = rule_set_make()
    last = add_months(month_start(timezone.localdate()), -1)
    ladder = [Tier.SOLUTIONS_PARTNER, Tier.GOLD, Tier.GOLD, Tier.GOLD, Tier.PLATINUM, Tier.PLATINUM, Tier.DIAMOND]
    for i, tier in enumerate([*ladder, Tier.ELITE]):
        partner = PartnerFactory(tier=tier)
        for back in range(6):
            snapshot_make(
                partner=partner,
                month=add_months(last, -back),
                rule_set=rule_set,
                sales=Decimal(100 * i),
                managed=Decimal(50),
                tier=tier,
            )
        if tier != Tier.SOLUTIONS_PARTNER:
            TierChange.objects.create(
                partner=partner,
                from_tier=Tier.SOLUTIONS_PARTNER,
                to_tier=tier,
                reason=TierChange.Reason.PROMOTION,
                effective_on=add_months(last, -(i % 5)) + dt.timedelta(days=2),
            )


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_page(user, viewport, language):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        return log_in(page, live_server.url, user)

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Tier distribution against the targets"), ("ja", "ティア分布と目標")]
)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_overview_draws_its_charts_without_sideways_scroll(open_as, staff, programme, language, heading, viewport):
    page = open_as(staff, viewport, language)

    assert page.locator("html").get_attribute("lang") == language
    assert heading in page.locator("[data-testid=overview-tier-distribution] h2").inner_text()
    for chart in ("distribution-chart", "moves-chart"):
        svg = page.locator(f"[data-testid={chart}] svg")
        svg.wait_for(state="visible")
        assert svg.bounding_box()["height"] > 150
        # On a phone the chart keeps a legible size and scrolls inside its own box, not the page.
        assert page.locator(f"[data-testid={chart}] .chart-scroll").bounding_box()["width"] <= viewport["width"]
    # Bars are drawn: one per tier achieved in the last month, Elite on top.
    bars = page.locator("[data-testid=distribution-chart] rect.bar")
    assert bars.count() >= 4
    assert page.locator("[data-testid=moves-chart] rect.bar-up").count() >= 1
    scroll_width, inner_width = page.evaluate(WIDTH_JS)
    assert scroll_width <= inner_width
