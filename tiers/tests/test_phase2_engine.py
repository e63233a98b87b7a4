"""Phase 2 metrics in the engine: retention from the MRR history, knowledge from enablement, judged like points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enablement.models import AccreditationStatus
from portal.models import Tier
from tests.factories import PartnerFactory
from tiers import engine, metric_sources
from tiers.models import Metric, MonthlySnapshot
from tiers.tests.factories import POINTS_TIERS, mrr, points_rules
from tiers.tests.phase2_factories import PHASE2_TIERS, accredit, certify, phase2_rules

pytestmark = pytest.mark.django_db
JULY_2023 = dt.date(2023, 7, 1)


def by_partner(rows):
    return {row.partner_id: row for row in rows}


def retention_example(partner):
    """docs/rules.md's worked example: four customers, July 2022 → July 2023."""
    mrr(partner, "2022-07", customer_domain="a.example", sold="1000")  # US$1,000
    mrr(partner, "2023-07", customer_domain="a.example", sold="1200")  # grew: counts as 1,000
    mrr(partner, "2022-07", customer_domain="b.example", currency="EUR", customer_country="DE", sold="750")  # 1,000
    mrr(partner, "2023-07", customer_domain="b.example", currency="EUR", customer_country="DE", sold="375")  # 500
    mrr(partner, "2022-07", customer_domain="c.example", sold="500", managed="200")  # 500 + 200
    mrr(partner, "2023-07", customer_domain="d.example", sold="2000")  # new: not in the base


def test_customer_revenue_retention_worked_example():
    rules = phase2_rules(draft=True)
    partner = PartnerFactory()
    retention_example(partner)

    [row] = engine.compute_month(month=JULY_2023, rule_set=rules)

    # base 1,000 + 1,000 + 700 = 2,700; kept 1,000 + 500 + 0 = 1,500; 1,500 / 2,700 = 55.555… → 55.56
    assert row.customer_revenue_retention == Decimal("55.56")
    # 111 points (36 + 15 + 60), 55.56 % ≥ 50 but no certified people: Gold needs 2.
    assert row.points == Decimal("111.00")
    assert row.achieved_tier == Tier.SOLUTIONS_PARTNER
    certify(partner, "Aiko Sato <aiko@a.example>", "Ben Ng <ben@a.example>")
    [row] = engine.compute_month(month=JULY_2023, rule_set=rules)
    assert row.certified_people == 2
    assert row.achieved_tier == Tier.GOLD


def test_retention_uses_the_judging_rule_sets_coefficients_for_both_months_and_caps_each_customer():
    rules = phase2_rules(draft=True)
    grower, shrinker, newcomer = PartnerFactory(), PartnerFactory(), PartnerFactory()
    mrr(grower, "2022-07", customer_domain="x.example", currency="JPY", customer_country="JP", managed="12000")
    mrr(grower, "2023-07", customer_domain="x.example", currency="JPY", customer_country="JP", managed="48000")
    mrr(shrinker, "2022-07", customer_domain="y.example", managed="300")
    mrr(shrinker, "2022-07", customer_domain="z.example", sold="0")  # a zero row adds nothing to the base
    mrr(shrinker, "2023-07", customer_domain="y.example", managed="100")
    mrr(newcomer, "2023-07", customer_domain="n.example", sold="99999")

    rows = by_partner(engine.compute_month(month=JULY_2023, rule_set=rules))

    assert rows[grower.pk].customer_revenue_retention == Decimal("100.00")  # expansion never hides churn
    assert rows[shrinker.pk].customer_revenue_retention == Decimal("33.33")
    assert rows[newcomer.pk].customer_revenue_retention is None  # no customers 12 months before
    # No base: the requirement is not met, however many points.
    assert rows[newcomer.pk].achieved_tier == Tier.SOLUTIONS_PARTNER


def test_retention_of_a_customer_that_moved_to_another_partner_is_lost():
    rules = phase2_rules(draft=True)
    first, second = PartnerFactory(), PartnerFactory()
    mrr(first, "2022-07", customer_domain="m.example", sold="100")
    mrr(second, "2023-07", customer_domain="m.example", sold="100")

    rows = by_partner(engine.compute_month(month=JULY_2023, rule_set=rules))

    assert rows[first.pk].customer_revenue_retention == Decimal("0.00")
    assert rows[second.pk].customer_revenue_retention is None


def test_certified_people_counts_distinct_people_holding_a_certification_at_the_months_end():
    rules = phase2_rules(draft=True)
    partner, other = PartnerFactory(), PartnerFactory()
    certify(partner, "Aiko Sato <Aiko@A.example>", name="Sales")
    certify(partner, "Aiko S. <aiko@a.example>", name="Service")  # the same person (email, any case)
    certify(partner, "Ben Ng", "ben ng ")  # no email: the name, trimmed and lower-cased, is the person
    certify(partner, "Cleo Ito <cleo@a.example>", expires_on=dt.date(2023, 7, 31))  # expired on the last day
    certify(partner, "Dan Oda <dan@a.example>", expires_on=dt.date(2023, 8, 1))  # still valid on 31 July
    certify(partner, "Eve Abe <eve@a.example>", issued_on=dt.date(2023, 8, 1))  # not yet issued
    certify(partner, "Fay Uno <fay@a.example>", issued_on=dt.date(2023, 7, 31))  # issued on the last day
    certify(other, "Aiko Sato <aiko@a.example>")  # another partner's people are its own

    rows = by_partner(engine.compute_month(month=JULY_2023, rule_set=rules))

    assert rows[partner.pk].certified_people == 4  # Aiko, Ben Ng, Dan, Fay
    assert rows[other.pk].certified_people == 1


def test_accreditations_held_as_of_the_months_end():
    rules = phase2_rules(
        tiers={**PHASE2_TIERS, "gold": {**PHASE2_TIERS["gold"], "accreditations": "1"}}
        | {t: {**PHASE2_TIERS[t], "accreditations": "1"} for t in ("platinum", "diamond", "elite")},
        draft=True,
    )
    partner = PartnerFactory()
    accredit(partner, granted_on=dt.date(2023, 1, 10))  # active: held
    accredit(partner, granted_on=dt.date(2023, 7, 31))  # granted on the last day: held
    accredit(partner, granted_on=dt.date(2023, 8, 1))  # granted after: not yet
    accredit(partner, granted_on=dt.date(2022, 1, 10), status=AccreditationStatus.REVIEW_BOARD)  # kept until decided
    # Lapsed at the re-evaluation due 1 August: still held on 31 July.
    accredit(
        partner, granted_on=dt.date(2023, 2, 1), status=AccreditationStatus.LAPSED, next_review_on=dt.date(2023, 8, 1)
    )
    # Lapsed at the re-evaluation due 31 July: no longer held at the month's end.
    accredit(
        partner, granted_on=dt.date(2023, 1, 31), status=AccreditationStatus.LAPSED, next_review_on=dt.date(2023, 7, 31)
    )

    # Lapsed at the re-evaluation due 1 July: held in June only.
    accredit(
        partner, granted_on=dt.date(2023, 1, 1), status=AccreditationStatus.LAPSED, next_review_on=dt.date(2023, 7, 1)
    )

    def held(month: dt.date) -> Decimal:
        [row] = engine.compute_month(month=month, rule_set=rules)
        return row.accreditations

    assert held(dt.date(2023, 6, 1)) == 5  # 10 Jan, review board, and the three lapsing on 1 July or later
    assert held(JULY_2023) == 4  # + granted 31 July; − the lapses due 1 July and 31 July
    assert held(dt.date(2023, 8, 1)) == 4  # + granted 1 August; − the lapse due 1 August


def test_only_the_metrics_a_rule_set_requires_are_measured():
    points_only = points_rules(draft=True, name="Points only")
    partner = PartnerFactory()
    mrr(partner, "2022-07", sold="100")
    mrr(partner, "2023-07", sold="100")
    certify(partner, "Aiko Sato <aiko@a.example>")

    [row] = engine.compute_month(month=JULY_2023, rule_set=points_only)
    sql, _params = engine.judged_month_sql(month=JULY_2023, rules=engine.rules_load(points_only))

    assert row.phase2 == dict.fromkeys(row.phase2)  # all None
    assert " retention AS (" not in sql and "certification" not in sql


def test_an_unregistered_metric_is_zero_for_everyone_and_named(monkeypatch):
    monkeypatch.delitem(metric_sources._SOURCES, str(Metric.REVIEW_RATING), raising=False)
    tiers = {t: {**POINTS_TIERS[t], "review_rating": "4"} for t in POINTS_TIERS}
    tiers["gold"]["review_rating"] = "0"
    rules = points_rules(tiers=tiers, draft=True, name="Rated")
    partner = PartnerFactory()
    mrr(partner, "2023-07", sold="10000")  # 300 points: Platinum on points

    [row] = engine.compute_month(month=JULY_2023, rule_set=rules)

    assert row.review_rating == Decimal(0)
    assert row.achieved_tier == Tier.GOLD  # a 0 threshold is met by the 0; Platinum's 4 is not
    assert engine.phase2_metrics_unmeasured(engine.rules_load(rules).requirements) == [Metric.REVIEW_RATING]


def test_a_registered_source_is_joined_set_based_and_rounded_like_points(monkeypatch):
    def ratings(month):  # columns named as the source likes: the engine names them by position
        return "SELECT id AS partner, CAST(4.125 AS NUMERIC) AS average FROM portal_partner WHERE id = %s", [rated.pk]

    rated, unrated = PartnerFactory(), PartnerFactory()
    monkeypatch.setitem(metric_sources._SOURCES, str(Metric.REVIEW_RATING), ratings)
    tiers = {t: {**POINTS_TIERS[t], "review_rating": "4"} for t in POINTS_TIERS}
    rules = points_rules(tiers=tiers, draft=True, name="Rated")
    mrr(rated, "2023-07", sold="10000")
    mrr(unrated, "2023-07", sold="10000")

    rows = by_partner(engine.compute_month(month=JULY_2023, rule_set=rules))

    assert rows[rated.pk].review_rating == Decimal("4.13")  # half-up to two places
    assert rows[unrated.pk].review_rating == Decimal(0)  # no row from the source: 0
    assert (rows[rated.pk].achieved_tier, rows[unrated.pk].achieved_tier) == (Tier.PLATINUM, Tier.SOLUTIONS_PARTNER)
    assert engine.phase2_metrics_unmeasured(engine.rules_load(rules).requirements) == []


def test_sql_and_python_judge_phase2_values_alike():
    """`achieved_tier_sql` (the run) and `achieved_tier` (pages) agree on every row, NULL retention included."""
    rules = phase2_rules(draft=True)
    requirements = engine.rules_load(rules).requirements
    for index, (sold, kept, people) in enumerate(
        [("4000", "4000", 2), ("4000", "1900", 2), ("12000", "7200", 3), ("12000", "7200", 2), ("40000", "0", 9)]
    ):
        partner = PartnerFactory()
        mrr(partner, "2022-07", customer_domain=f"{index}.example", sold=sold)
        mrr(partner, "2023-07", customer_domain=f"{index}.example", sold=kept)
        mrr(partner, "2023-07", customer_domain=f"{index}-new.example", sold=sold)
        certify(partner, *[f"P{n} <p{n}@{index}.example>" for n in range(people)])
    PartnerFactory()  # nothing at all: NULL retention, 0 people

    rows = engine.compute_month(month=JULY_2023, rule_set=rules)

    seen = set()
    for row in rows:
        values = engine.metric_values(
            framework=rules.framework,
            sales_points=row.sales_points,
            managed_points=row.managed_points,
            sold_usd=row.sold_mrr_usd,
            managed_usd=row.managed_mrr_usd,
            phase2=row.phase2,
        )
        assert engine.achieved_tier(requirements=requirements, values=values) == row.achieved_tier
        seen.add(row.achieved_tier)
    assert {Tier.SOLUTIONS_PARTNER, Tier.GOLD, Tier.PLATINUM} <= seen


def test_snapshot_metric_values_read_the_stored_phase2_values():
    rules = phase2_rules(draft=True)
    snapshot = MonthlySnapshot(
        sales_points=Decimal(60),
        managed_points=Decimal(50),
        customer_revenue_retention=None,
        certified_people=3,
        rule_set=rules,
    )

    values = engine.snapshot_metric_values(snapshot, rule_set=rules, partner_emerging=False)

    assert values[Metric.CERTIFIED_PEOPLE] == 3
    assert Metric.CUSTOMER_REVENUE_RETENTION not in values  # not measured: never met
    assert (
        engine.achieved_tier(requirements=engine.rules_load(rules).requirements, values=values) == "solutions_partner"
    )
