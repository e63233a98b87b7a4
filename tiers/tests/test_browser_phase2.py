"""Phase 2 in a real browser: staff judge the demo's Phase 2 draft in the what-if (English, desktop), and a
partner reads customer success and knowledge on "My tier" (Japanese, phone, no sideways scroll)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Tier
from portal.months import add_months, month_start
from tests.browser_login import log_in
from tests.factories import PartnerFactory
from tiers import demo
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, snapshot_make
from tiers.tests.phase2_factories import PAGE_PHASE2, certify, requirements_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_page(user, viewport=DESKTOP, language="en"):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        return log_in(context.new_page(), live_server.url, user)

    yield open_page
    for context in contexts:
        context.close()


def _last_month() -> dt.date:
    return add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def demo_like(db):
    """The points rules in force, the demo's Phase 2 draft, and a dozen partners at Gold on points whose
    retention and certified people vary (MRR last month and the same month a year before)."""
    rule_set_make(name="Points in force", effective_from=dt.date(2022, 7, 16))
    demo.seed_phase2_draft(today=timezone.localdate())
    last, year_before = _last_month(), add_months(_last_month(), -12)
    for index in range(12):
        partner = PartnerFactory(name=f"Agency {index:02d}")
        kept = 20000 - 1500 * index  # 100 %, 92.5 %, 85 %, … retained
        mrr_make(partner=partner, month=year_before, domain=f"kept{index}.example", sold=20000)
        mrr_make(partner=partner, month=last, domain=f"kept{index}.example", sold=max(kept, 0))
        mrr_make(partner=partner, month=last, domain=f"new{index}.example", sold=20000)
        certify(partner, *[f"P{n} <p{n}@{index}.example>" for n in range(index % 4)])


def test_staff_judge_the_phase2_draft_in_the_whatif(open_as, staff, demo_like, live_server):
    page = open_as(staff)
    page.goto(f"{live_server.url}/tiers/whatif/")
    page.select_option("#id_rule_set", label=page.locator("#id_rule_set option", has_text="Phase 2").inner_text())
    page.select_option("#id_month", _last_month().isoformat())
    page.click("[data-testid=whatif-form] button[type=submit]")

    effects = page.locator("[data-testid=requirement-effects]")
    expect(effects).to_be_visible()
    retention = page.locator("[data-testid=effect-gold-customer_revenue_retention]")
    people = page.locator("[data-testid=effect-gold-certified_people]")
    # Gold: 80 % retention (agencies 0–2 retain 85 % or more; 3–11 do not), 2 certified people (index % 4 ≥ 2).
    expect(retention).to_contain_text("80%")
    expect(retention.locator("td.num").nth(0)).to_have_text("9")
    expect(people.locator("td.num").nth(0)).to_have_text("6")
    assert "Customer success" in retention.inner_text() and "Knowledge" in people.inner_text()
    # Under the draft only agency 2 (85 % retained, 2 people) is Gold.
    expect(page.locator("[data-testid=share-gold] td").nth(0)).to_have_text("1")
    scroll_width, inner_width = page.evaluate(WIDTH_JS)
    assert scroll_width <= inner_width
    effects.screenshot(path=SHOTS / "phase2-whatif.png")


@pytest.fixture
def phase2_partner(partner):
    """Gold, judged for six months by the points rules; a Phase 2 rule set took effect this month."""
    partner.tier = Tier.GOLD
    partner.tier_since = dt.date(2025, 1, 15)
    partner.save()
    old = rule_set_make(name="Points in force", effective_from=dt.date(2022, 7, 16))
    for month in months_back(_last_month(), 6):
        snapshot_make(partner=partner, month=month, rule_set=old, sales=D(900), managed=D(900), tier=Tier.GOLD)
    newer = rule_set_make(name="Phase 2 in force", effective_from=month_start(timezone.localdate()))
    requirements_add(newer, PAGE_PHASE2)
    mrr_make(partner=partner, month=add_months(_last_month(), -12), domain="tokyo.example", sold=1000)
    mrr_make(partner=partner, month=_last_month(), domain="tokyo.example", sold=825)
    certify(partner, "佐藤 愛子 <aiko@own.example>", "Ben Ng <ben@own.example>", "Cleo Ito <cleo@own.example>")
    return partner


D = Decimal


def test_partner_reads_customer_success_and_knowledge_in_japanese_on_a_phone(
    open_as, partner_admin, phase2_partner, live_server
):
    page = open_as(partner_admin, viewport=PHONE, language="ja")
    page.goto(f"{live_server.url}/tiers/")

    card = page.locator("[data-testid=phase2]")
    expect(card).to_be_visible()
    expect(card.locator("h2")).to_have_text("カスタマーサクセスとナレッジ")
    retention = card.locator("[data-testid=phase2-customer_revenue_retention]")
    expect(retention).to_contain_text("82.50%")  # 825 of 1,000 kept
    expect(retention).to_contain_text("80% ✓")  # Gold's requirement, met
    expect(retention).to_contain_text("あと2.50%")  # Platinum needs 85 %
    expect(card.locator("[data-testid=phase2-certified_people]")).to_contain_text("3")
    # The progress card shows them among the Platinum requirements too.
    expect(page.locator("[data-testid=measure-certified_people]").first).to_contain_text("あと1人の認定資格保有者")
    scroll_width, inner_width = page.evaluate(WIDTH_JS)
    assert scroll_width <= inner_width, (scroll_width, inner_width)
    # The table fits the phone without scrolling inside its own frame either.
    frame = card.locator(".table-wrap")
    assert frame.evaluate("e => e.scrollWidth <= e.clientWidth"), frame.evaluate("e => [e.scrollWidth, e.clientWidth]")
    card.screenshot(path=SHOTS / "phase2-dashboard-390-ja.png")
