"""Phase 2 metrics through the monthly run and the reassessment: stored on snapshots, judged exactly as points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.models import Tier
from tests.factories import PartnerFactory
from tiers import engine, services
from tiers.importers import ImportRejected
from tiers.models import Metric, MonthlySnapshot, TierRequirement
from tiers.tests.factories import POINTS_TIERS, month_date, months, mrr, points_rules, rules_doc
from tiers.tests.phase2_factories import PHASE2_TIERS, certify, phase2_rules

pytestmark = pytest.mark.django_db


def test_the_run_stores_the_phase2_values_and_promotes_only_partners_meeting_them():
    phase2_rules(effective_from="2023-01-01")
    ready, unready = PartnerFactory(), PartnerFactory()
    for partner in (ready, unready):
        mrr(partner, "2022-07", customer_domain="kept.example", sold="4000")
        mrr(partner, "2023-07", customer_domain="kept.example", sold="4000")  # 120 points, 100 % retained
    certify(ready, "Aiko Sato <aiko@a.example>", "Ben Ng <ben@a.example>")

    result = services.month_evaluate(month=dt.date(2023, 7, 1))

    snapshots = {s.partner_id: s for s in MonthlySnapshot.objects.filter(month=dt.date(2023, 7, 1))}
    assert result.counts["promoted"] == 1
    assert snapshots[ready.pk].customer_revenue_retention == Decimal("100.00")
    assert (snapshots[ready.pk].certified_people, snapshots[unready.pk].certified_people) == (2, 0)
    assert snapshots[ready.pk].review_rating is None and snapshots[ready.pk].accreditations is None  # not required
    assert (snapshots[ready.pk].achieved_tier, snapshots[unready.pk].achieved_tier) == (Tier.GOLD, "solutions_partner")
    ready.refresh_from_db()
    unready.refresh_from_db()
    assert (ready.tier, unready.tier) == (Tier.GOLD, Tier.SOLUTIONS_PARTNER)


def test_a_points_only_run_stores_no_phase2_values():
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-08", sold="4000")
    certify(partner, "Aiko Sato <aiko@a.example>")

    services.month_evaluate(month=dt.date(2022, 8, 1))

    snapshot = MonthlySnapshot.objects.get()
    assert snapshot.achieved_tier == Tier.GOLD
    assert [getattr(snapshot, m) for m in ("customer_revenue_retention", "certified_people")] == [None, None]


def test_reassessment_judges_the_window_with_the_phase2_values_of_each_month():
    """Points enough for Gold all year; certified people only in March: the 15 July reassessment keeps Gold
    thanks to March; one without them drops to Solutions Partner."""
    phase2_rules(effective_from="2023-01-01")
    steady, lapsing = PartnerFactory(tier=Tier.GOLD), PartnerFactory(tier=Tier.GOLD)
    for partner in (steady, lapsing):
        for month in months("2022-01", "2023-06"):
            mrr(partner, month, customer_domain="kept.example", sold="4000")
    # Two people certified for March 2023 only (issued 1 March, expired 1 April).
    certify(steady, "A <a@s.example>", "B <b@s.example>", issued_on=dt.date(2023, 3, 1), expires_on=dt.date(2023, 4, 1))
    for month in months("2023-01", "2023-06"):
        services.month_evaluate(month=month_date(month))

    services.reassessment_run(on=dt.date(2023, 7, 15))

    achieved = dict(
        MonthlySnapshot.objects.filter(partner=steady).values_list("month", "achieved_tier").order_by("month")
    )
    assert [achieved[month_date(m)] for m in months("2023-01", "2023-06")] == [
        "solutions_partner",
        "solutions_partner",
        "gold",
        "solutions_partner",
        "solutions_partner",
        "solutions_partner",
    ]
    steady.refresh_from_db()
    lapsing.refresh_from_db()
    assert (steady.tier, lapsing.tier) == (Tier.GOLD, Tier.SOLUTIONS_PARTNER)


def test_rule_files_require_phase2_metrics_per_tier():
    rule_set = phase2_rules(draft=True)

    stored = set(rule_set.requirements.values_list("tier", "metric", "threshold"))

    assert (Tier.GOLD, Metric.CUSTOMER_REVENUE_RETENTION, Decimal("50.0000")) in stored
    assert (Tier.ELITE, Metric.CERTIFIED_PEOPLE, Decimal("10.0000")) in stored
    assert engine.phase2_metrics_used(engine.rules_load(rule_set).requirements) == [
        Metric.CUSTOMER_REVENUE_RETENTION,
        Metric.CERTIFIED_PEOPLE,
    ]


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        (
            {**PHASE2_TIERS, "platinum": {**POINTS_TIERS["platinum"], "certified_people": "3"}},
            "platinum: customer_revenue_retention is required by gold, so it must be required by platinum too",
        ),
        (
            {**PHASE2_TIERS, "elite": {**PHASE2_TIERS["elite"], "customer_revenue_retention": "100.5"}},
            "elite: customer_revenue_retention cannot be above 100",
        ),
        (
            {**PHASE2_TIERS, "gold": {**PHASE2_TIERS["gold"], "review_rating": "5.5"}},
            "gold: review_rating cannot be above 5",
        ),
        (
            {**PHASE2_TIERS, "diamond": {**PHASE2_TIERS["diamond"], "certified_people": "2"}},
            "thresholds must increase from gold to elite: diamond certified_people 2.0000 ≤ platinum 3.0000",
        ),
        (
            {**PHASE2_TIERS, "gold": {**PHASE2_TIERS["gold"], "certified_people": "-1"}},
            "gold: certified_people must not be negative",
        ),
    ],
)
def test_rule_files_refuse_phase2_requirements_that_make_no_sense(tiers, problem):
    with pytest.raises(ImportRejected) as refused:
        services.rule_set_import(data=rules_doc(tiers=tiers, name="Bad"), draft=True)

    assert problem in refused.value.errors
    assert not TierRequirement.objects.exists()
