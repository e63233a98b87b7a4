"""A partner whose reassessment preview moves it down: the page leads with what it takes to keep its tier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from portal.models import Tier
from tiers import progress
from tiers.tests.dashboard_factories import months_back, snapshot_make

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


GOLD_MONTH = (D(900), D(300))  # 1,200 points: Gold, not Platinum


def _months(partner, rule_set, *, points: dict[dt.date, tuple[Decimal, Decimal, str]], default=GOLD_MONTH):
    """Snapshots Nov 2024–Oct 2025; `points` overrides (sales, managed, tier) of some months."""
    for month in months_back(dt.date(2025, 10, 1), 12):
        sales, managed, tier = points.get(month, (*default, Tier.GOLD))
        snapshot_make(partner=partner, month=month, rule_set=rule_set, sales=sales, managed=managed, tier=tier)


@pytest.fixture
def platinum_at_risk(partner, rule_set):
    """Platinum; Jul–Oct 2025 (the months that count for 15 Jan 2026 so far) only met Gold.

    October: 2,200 sales + 400 managed = 2,600 points; Platinum needs 4,000 (1,400 more, 700 a month
    over Nov and Dec). Sales points 2,200 already meet the 800 minimum.
    """
    partner.tier = Tier.PLATINUM
    partner.save()
    _months(partner, rule_set, points={dt.date(2025, 10, 1): (D(2200), D(400), Tier.GOLD)})
    return partner


def test_at_risk_partner_is_first_shown_what_it_takes_to_keep_its_tier(client_for, partner_member, platinum_at_risk):
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    keep = response.context["keep"]
    assert keep.tier == Tier.PLATINUM
    assert keep.on == dt.date(2026, 1, 15)
    assert keep.months_left == [dt.date(2025, 11, 1), dt.date(2025, 12, 1)]
    [pace] = keep.paces  # the sales minimum is met: only combined points fall short
    assert (pace.measure.gap, pace.per_month) == (D(1400), D(700))
    text = " ".join(response.content.decode().split())
    assert "What it takes to keep Platinum on 15 Jan" in text
    assert "2 months left that count (Nov and Dec)" in text
    assert "Combined points: 1,400.00 points more than in October 2025, about +700 points a month." in text
    # It leads: the keep card comes before the current-tier card and the progress to Diamond.
    assert text.index('data-testid="keep-tier"') < text.index('id="h-current"') < text.index("Progress to Diamond")


def test_what_it_takes_defaults_to_keeping_the_current_tier_when_at_risk(client_for, partner_member, platinum_at_risk):
    client = client_for(partner_member)
    page = client.get(reverse("tiers:dashboard"))
    assert page.context["gap"].tier == Tier.PLATINUM
    partial = client.get(reverse("tiers:gap"), HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="platinum" selected>' in partial
    assert "Platinum is your current tier: this is what it takes to keep it." in partial
    # Asking for another tier still works.
    assert client.get(reverse("tiers:gap"), {"tier": Tier.ELITE}).context["gap"].tier == Tier.ELITE


def test_partner_on_track_sees_no_keep_card_and_what_it_takes_looks_two_tiers_up(
    client_for, partner_member, partner, rule_set
):
    partner.tier = Tier.GOLD
    partner.save()
    _months(partner, rule_set, points={})
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    assert response.context["keep"] is None
    assert 'data-testid="keep-tier"' not in response.content.decode()
    assert response.context["gap"].tier == Tier.DIAMOND


def test_pace_rounds_up_and_counts_every_missing_requirement(partner, rule_set):
    """Sales fall short too: each requirement gets its own monthly pace, rounded up to whole points."""
    partner.tier = Tier.PLATINUM
    partner.save()
    _months(partner, rule_set, points={dt.date(2025, 10, 1): (D(501), D(2000), Tier.GOLD)})
    preview = progress.reassessment_preview(partner=partner, today=dt.date(2025, 11, 20))
    history = progress.snapshot_history(partner=partner)
    gap = progress.tier_gap(
        tier=Tier.PLATINUM,
        snapshot=history[-1],
        rule_set=rule_set,
        requirements=progress.requirements_by_rule_set({rule_set.pk})[rule_set.pk],
        em=False,
    )
    plan = progress.keep_tier_plan(preview=preview, gap=gap)
    assert [(p.measure.metric, p.measure.gap, p.per_month) for p in plan.paces] == [
        ("points", D(1499), D(750)),
        ("min_sales_points", D(299), D(150)),
    ]


def test_when_every_month_that_counts_is_evaluated_the_page_says_it_is_too_late(
    client_for, partner_member, partner, rule_set
):
    partner.tier = Tier.PLATINUM
    partner.save()
    with time_machine.travel(dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        for month in months_back(dt.date(2025, 12, 1), 6):
            snapshot_make(partner=partner, month=month, rule_set=rule_set, sales=D(900), managed=D(300), tier=Tier.GOLD)
        response = client_for(partner_member).get(reverse("tiers:dashboard"))
    keep = response.context["keep"]
    assert keep.too_late and keep.months_left == []
    text = " ".join(response.content.decode().split())
    assert "Every month that counts for 15 Jan 2026 is evaluated, and none met Platinum: you move to Gold then." in text


def test_negative_year_over_year_growth_draws_an_empty_bar(client_for, partner_member, partner, rule_set):
    partner.tier = Tier.GOLD
    partner.save()
    _months(
        partner,
        rule_set,
        points={
            dt.date(2024, 11, 1): (D(900), D(300), Tier.GOLD),
            dt.date(2025, 10, 1): (D(600), D(300), Tier.SOLUTIONS_PARTNER),
        },
    )
    # A year-ago month: Oct 2024 must exist for the comparison.
    snapshot_make(
        partner=partner, month=dt.date(2024, 10, 1), rule_set=rule_set, sales=D(900), managed=D(300), tier=Tier.GOLD
    )
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    growth = response.context["growth"]
    assert growth.percent == D("-25.0")
    assert growth.bar_percent == 0
    body = response.content.decode()
    card = body[body.index('id="h-growth"') : body.index('id="h-progress"')]
    assert '<rect width="0" height="1"/>' in card
    assert "style=" not in card


def test_growth_bar_is_proportional_to_the_target_and_capped():
    growth = progress.Growth(dt.date(2025, 10, 1), dt.date(2024, 10, 1), D(115), D(100), "points")
    assert growth.bar_percent == 50  # +15% of a 30% target
    assert progress.Growth(dt.date(2025, 10, 1), dt.date(2024, 10, 1), D(300), D(100), "points").bar_percent == 100
