"""The engine's pure reads: points, both frameworks, the emerging-market rule, reassessment outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.models import PartnerKind, Tier
from tests.factories import PartnerFactory
from tiers import engine
from tiers.models import Metric, MonthlySnapshot
from tiers.tests.factories import (
    legacy_rules,
    mrr,
    points_rules,
)

pytestmark = pytest.mark.django_db
JULY = dt.date(2022, 7, 1)
MAY = dt.date(2022, 5, 1)


def rows_by_partner(rows):
    return {row.partner_id: row for row in rows}


def test_points_are_sales_and_managed_coefficients_times_mrr_in_each_currency():
    rules = points_rules()
    partner = PartnerFactory(country="US")
    mrr(partner, "2022-07", sold="1000", managed="500")  # 30 + 5
    mrr(partner, "2022-07", currency="JPY", customer_country="JP", sold="120000", managed="24000")  # 30 + 2
    mrr(partner, "2022-07", currency="EUR", customer_country="DE", managed="75")  # 1

    [row] = engine.compute_month(month=JULY, rule_set=rules)

    assert row.sales_points == Decimal("60.0000")
    assert row.managed_points == Decimal("8.0000")
    assert row.points == Decimal("68.0000")
    assert row.sold_mrr_usd == Decimal("2000.0000")
    assert row.managed_mrr_usd == Decimal("800.0000")
    assert row.customer_count == 3


def test_points_emerging_market_credit_follows_the_customers_country_not_the_partners():
    rules = points_rules()
    indian_partner = PartnerFactory(country="IN", region="apac")
    us_partner = PartnerFactory(country="US")
    mrr(indian_partner, "2022-07", customer_country="US", sold="1000")  # no credit: customer in the US
    mrr(us_partner, "2022-07", customer_country="BR", sold="1000")  # 2×: customer in Brazil

    rows = rows_by_partner(engine.compute_month(month=JULY, rule_set=rules))

    assert rows[indian_partner.pk].sales_points == Decimal("30.0000")
    assert rows[us_partner.pk].sales_points == Decimal("60.0000")
    # USD figures never carry the multiplier.
    assert rows[us_partner.pk].sold_mrr_usd == Decimal("1000.0000")


def test_legacy_emerging_market_credit_follows_the_partners_country_not_the_customers():
    rules = legacy_rules()  # gold: sold 1000 / managed 2000 USD
    indian_partner = PartnerFactory(country="IN", region="apac")
    us_partner = PartnerFactory(country="US")
    mrr(indian_partner, "2022-05", customer_country="US", sold="600", managed="1200")  # ×2 → 1200 / 2400
    mrr(us_partner, "2022-05", customer_country="BR", sold="600", managed="1200")  # no credit

    rows = rows_by_partner(engine.compute_month(month=MAY, rule_set=rules))

    assert rows[indian_partner.pk].achieved_tier == Tier.GOLD
    assert rows[us_partner.pk].achieved_tier == Tier.SOLUTIONS_PARTNER
    # Legacy months: points are 0, USD columns plain (no multiplier).
    assert rows[indian_partner.pk].points == 0
    assert rows[indian_partner.pk].sold_mrr_usd == Decimal("600.0000")


def test_legacy_tier_needs_both_sold_and_managed_requirements():
    rules = legacy_rules()
    only_sold = PartnerFactory()
    both = PartnerFactory()
    mrr(only_sold, "2022-05", sold="70000", managed="1999")
    mrr(both, "2022-05", sold="3000", managed="6000")

    rows = rows_by_partner(engine.compute_month(month=MAY, rule_set=rules))

    assert rows[only_sold.pk].achieved_tier == Tier.SOLUTIONS_PARTNER
    assert rows[both.pk].achieved_tier == Tier.PLATINUM


def test_points_tier_needs_the_minimum_sales_points_as_well_as_the_target():
    rules = points_rules()  # platinum: 300 points, min 90 sales points
    managed_heavy = PartnerFactory()
    balanced = PartnerFactory()
    mrr(managed_heavy, "2022-07", sold="2900", managed="25000")  # 87 sales + 250 managed = 337
    mrr(balanced, "2022-07", sold="3000", managed="21000")  # 90 + 210 = 300

    rows = rows_by_partner(engine.compute_month(month=JULY, rule_set=rules))

    assert rows[managed_heavy.pk].achieved_tier == Tier.GOLD
    assert rows[balanced.pk].achieved_tier == Tier.PLATINUM


def test_partners_without_mrr_get_zero_and_providers_are_skipped():
    rules = points_rules()
    quiet = PartnerFactory()
    provider = PartnerFactory(kind=PartnerKind.PROVIDER)
    mrr(provider, "2022-07", sold="100000")

    rows = rows_by_partner(engine.compute_month(month=JULY, rule_set=rules))

    assert set(rows) == {quiet.pk}
    assert rows[quiet.pk].points == 0
    assert rows[quiet.pk].achieved_tier == Tier.SOLUTIONS_PARTNER


def test_compute_month_can_be_limited_to_some_partners_and_judges_a_draft():
    draft = points_rules(name="Draft 2023", draft=True)
    first, second = PartnerFactory(), PartnerFactory()
    mrr(first, "2022-07", sold="10000")
    mrr(second, "2022-07", sold="10000")

    rows = engine.compute_month(month=JULY, rule_set=draft, partner_ids=[second.pk])

    assert [row.partner_id for row in rows] == [second.pk]
    assert rows[0].achieved_tier == Tier.PLATINUM


def test_a_currency_without_coefficient_is_reported():
    rules = points_rules(currencies=["USD"])
    mrr(PartnerFactory(), "2022-07", currency="JPY", sold="100")

    with pytest.raises(engine.MissingCoefficient) as error:
        engine.compute_month(month=JULY, rule_set=rules)

    assert error.value.currencies == ["JPY"]


def test_achieved_tier_ignores_a_requirement_nobody_measures():
    requirements = {Tier.GOLD: {Metric.POINTS: Decimal(10), "customer_success": Decimal(1)}}

    assert (
        engine.achieved_tier(requirements=requirements, values={Metric.POINTS: Decimal(50)}) == Tier.SOLUTIONS_PARTNER
    )


def test_rule_set_in_force_is_the_latest_published_on_the_months_last_day():
    legacy = legacy_rules()
    points = points_rules(effective_from="2022-07-16")
    points_rules(name="Draft 2023", effective_from="2022-07-01", draft=True)

    assert engine.rule_set_in_force(dt.date(2022, 6, 1)) == legacy
    assert engine.rule_set_in_force(dt.date(2022, 7, 1)) == points  # 16 July ≤ 31 July
    assert engine.rule_set_in_force(dt.date(2020, 12, 1)) is None


def test_breakdown_rows_add_up_to_the_partners_points():
    from tiers.breakdown import customer_rows

    rules = points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-07", customer_domain="a.example", customer_country="MX", sold="100", managed="100")
    mrr(partner, "2022-07", customer_domain="b.example", sold="200")

    rows = list(customer_rows(partner=partner, month=JULY, rule_set=rules).order_by("customer_domain"))
    [row] = engine.compute_month(month=JULY, rule_set=rules)

    assert [r.customer_domain for r in rows] == ["a.example", "b.example"]
    assert rows[0].is_emerging and rows[0].sales_points == Decimal("6.00")
    assert sum(r.sales_points for r in rows) == row.sales_points
    assert sum(r.managed_points for r in rows) == row.managed_points
    assert sum(r.total_points for r in rows) == row.points


def test_reassessment_outcome_is_the_highest_tier_of_the_six_months_before(django_assert_num_queries):
    from portal.models import JobRun

    rules = points_rules()
    run = JobRun.objects.create(job="monthly_evaluation", period="x", started_at="2023-01-01T00:00Z")
    partner = PartnerFactory()
    achieved = ["gold", "platinum", "solutions_partner", "platinum", "gold", "gold"]
    for month, tier in zip(range(7, 13), achieved, strict=True):
        MonthlySnapshot.objects.create(
            partner=partner, month=dt.date(2022, month, 1), rule_set=rules, achieved_tier=tier, run=run
        )
    MonthlySnapshot.objects.create(  # outside the window: January is not judged on 15 January
        partner=partner, month=dt.date(2023, 1, 1), rule_set=rules, achieved_tier="elite", run=run
    )

    with django_assert_num_queries(1):
        outcome = engine.reassessment_outcome(partner_ids=None, on=dt.date(2023, 1, 15))

    assert outcome == {partner.pk: (Tier.PLATINUM, [dt.date(2022, 8, 1), dt.date(2022, 10, 1)])}
