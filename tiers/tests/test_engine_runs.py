"""Monthly runs and reassessments through the services: promotion, no demotion, history, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.models import JobRun, PartnerKind, Tier
from tests.factories import PartnerFactory
from tiers import services
from tiers.importers import ImportRejected
from tiers.models import MonthlySnapshot, RuleSet, TierChange
from tiers.selectors import partner_tier_status, rule_set_has_judged, tier_on
from tiers.tests.factories import (
    legacy_rules,
    month_date,
    months,
    mrr,
    points_rules,
    rules_doc,
)

pytestmark = pytest.mark.django_db


def evaluate(*names: str) -> None:
    for name in names:
        services.month_evaluate(month=month_date(name))


def history(partner) -> list[tuple[str, str, str, str]]:
    return [
        (c.effective_on.isoformat(), c.from_tier, c.to_tier, c.reason)
        for c in TierChange.objects.filter(partner=partner).order_by("effective_on", "pk")
    ]


def test_seed_worked_example_gold_kept_until_the_january_2023_reassessment():
    """SPEC §3.5: Gold under the old thresholds → keeps Gold Jul 2022–Jan 2023 → solutions_partner on 2023-01-15."""
    legacy_rules()  # gold: US$1,000 sold and US$2,000 managed
    points_rules(effective_from="2022-07-16")  # gold: 100 points
    partner = PartnerFactory(country="US")
    for month in months("2022-01", "2022-12"):
        mrr(partner, month, sold="1500", managed="2500")  # legacy Gold; 45 + 25 = 70 points: no tier

    evaluate(*months("2022-01", "2022-06"))
    services.reassessment_run(on=dt.date(2022, 7, 15))
    evaluate(*months("2022-07", "2022-12"))
    partner.refresh_from_db()
    assert partner.tier == Tier.GOLD  # the monthly runs of Jul–Dec never demote
    assert tier_on(partner=partner, on=dt.date(2022, 12, 31)) == (Tier.GOLD, dt.date(2022, 2, 1))

    services.reassessment_run(on=dt.date(2023, 1, 15))

    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.SOLUTIONS_PARTNER, dt.date(2023, 1, 15))
    assert history(partner) == [
        ("2022-02-01", "solutions_partner", "gold", "promotion"),
        ("2023-01-15", "gold", "solutions_partner", "reassessment"),
    ]
    july = MonthlySnapshot.objects.get(partner=partner, month=dt.date(2022, 7, 1))
    assert (july.rule_set.name, str(july.points), july.achieved_tier) == ("Points 2022", "70.0000", "solutions_partner")


def test_monthly_promotion_is_effective_next_month_and_never_demotes():
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-08", sold="10000", managed="10000")  # 300 + 100: platinum
    mrr(partner, "2022-09", sold="100")  # 3 points: nothing

    evaluate("2022-08")
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.PLATINUM, dt.date(2022, 9, 1))

    evaluate("2022-09")
    partner.refresh_from_db()
    assert partner.tier == Tier.PLATINUM
    assert history(partner) == [("2022-09-01", "solutions_partner", "platinum", "promotion")]
    assert TierChange.objects.get(partner=partner).run.period == "2022-08"


def test_promotion_only_when_above_the_current_tier():
    points_rules()
    diamond = PartnerFactory(tier=Tier.DIAMOND)
    mrr(diamond, "2022-08", sold="10000", managed="10000")  # platinum: below its tier

    evaluate("2022-08")

    diamond.refresh_from_db()
    assert diamond.tier == Tier.DIAMOND
    assert not TierChange.objects.exists()


def test_reassessment_across_the_framework_change_judges_each_month_by_its_own_rules():
    legacy_rules()
    points_rules(effective_from="2022-07-16")
    partner = PartnerFactory(country="US")
    mrr(partner, "2022-05", sold="3000", managed="6000")  # legacy platinum (by US$)
    for month in ("2022-07", "2022-08", "2022-09"):
        mrr(partner, month, sold="3000", managed="6000")  # 90 + 60 = 150 points: gold under points
    evaluate(*months("2022-04", "2022-09"))
    assert partner.snapshots.get(month=dt.date(2022, 8, 1)).achieved_tier == Tier.GOLD

    # Off-cycle (forced): its window Apr–Sep 2022 spans both frameworks.
    services.reassessment_run(on=dt.date(2022, 10, 15), force=True, why="test of a mixed window")

    partner.refresh_from_db()
    assert partner.tier == Tier.PLATINUM  # May, judged by the legacy rules, counts
    assert history(partner)[-1] == ("2022-06-01", "solutions_partner", "platinum", "promotion")


def test_reassessment_moves_down_several_steps_on_its_date():
    points_rules()
    partner = PartnerFactory(tier=Tier.ELITE)
    for month in months("2022-07", "2022-12"):
        mrr(partner, month, sold="4000")  # 120 points: gold
    evaluate(*months("2022-07", "2022-12"))

    result = services.reassessment_run(on=dt.date(2023, 1, 15))

    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.GOLD, dt.date(2023, 1, 15))
    assert result.counts == {"partners": 1, "changed": 1, "up": 0, "down": 1}


def test_reassessment_refuses_naming_the_months_not_evaluated():
    points_rules()
    PartnerFactory(tier=Tier.GOLD)
    evaluate("2022-07", "2022-09")

    with pytest.raises(services.RunRefused, match="2022-08, 2022-10, 2022-11, 2022-12"):
        services.reassessment_run(on=dt.date(2023, 1, 15))

    assert list(JobRun.objects.filter(job="reassessment").values_list("outcome", flat=True)) == ["refused"]
    assert not TierChange.objects.exists()


def test_second_runs_of_the_same_period_change_nothing():
    points_rules()
    partner = PartnerFactory()
    for month in months("2022-07", "2022-12"):
        mrr(partner, month, sold="10000")
    evaluate(*months("2022-07", "2022-12"))
    services.reassessment_run(on=dt.date(2023, 1, 15))
    before = (
        list(MonthlySnapshot.objects.values_list("pk", "points", "run_id")),
        list(TierChange.objects.values_list("pk", flat=True)),
        list(JobRun.objects.values_list("pk", "finished_at")),
    )
    mrr(partner, "2022-12", sold="999999")  # even new data does not re-judge a finished month

    again = services.month_evaluate(month=dt.date(2022, 12, 1))
    again_reassessment = services.reassessment_run(on=dt.date(2023, 1, 15))

    assert not again.ran and not again_reassessment.ran
    after = (
        list(MonthlySnapshot.objects.values_list("pk", "points", "run_id")),
        list(TierChange.objects.values_list("pk", flat=True)),
        list(JobRun.objects.values_list("pk", "finished_at")),
    )
    assert after == before


def test_run_refuses_without_rule_set_or_coefficient_and_writes_nothing():
    partner = PartnerFactory()
    mrr(partner, "2022-08", currency="JPY", customer_country="JP", sold="100")
    with pytest.raises(services.RunRefused, match="no published rule set"):
        services.month_evaluate(month=dt.date(2022, 8, 1))
    # Imports and publishing refuse an uncovered currency; a coefficient deleted in admin still gets here.
    points_rules(currencies=["USD", "EUR", "JPY"]).coefficients.filter(currency="JPY").delete()
    with pytest.raises(services.RunRefused, match="JPY"):
        services.month_evaluate(month=dt.date(2022, 8, 1))
    assert list(JobRun.objects.values_list("outcome", flat=True)) == ["refused", "refused"]
    assert not MonthlySnapshot.objects.exists()


def test_providers_get_no_snapshot_and_no_tier():
    points_rules()
    provider = PartnerFactory(kind=PartnerKind.PROVIDER)
    mrr(provider, "2022-08", sold="100000")

    result = services.month_evaluate(month=dt.date(2022, 8, 1))

    provider.refresh_from_db()
    assert result.counts["partners"] == 0
    assert provider.tier == Tier.SOLUTIONS_PARTNER and not provider.snapshots.exists()
    with pytest.raises(services.TierError):
        services.tier_set_manually(partner=provider, tier=Tier.GOLD, acting_user=None)


def test_a_rule_set_that_judged_a_month_is_immutable():
    rules = points_rules()
    PartnerFactory()
    assert not rule_set_has_judged(rules)
    services.rule_set_import(data=rules_doc(tiers=None, multiplier="3"))  # unused: replaced
    assert RuleSet.objects.get().emerging_market_multiplier == 3

    evaluate("2022-08")

    assert rule_set_has_judged(RuleSet.objects.get())
    with pytest.raises(ImportRejected, match="already judged"):
        services.rule_set_import(data=rules_doc(multiplier="4"))
    with pytest.raises(services.TierError):
        services.rule_set_unpublish(rule_set=RuleSet.objects.get())
    assert RuleSet.objects.get().emerging_market_multiplier == 3


def test_publishing_a_draft_puts_it_in_force():
    draft = points_rules(draft=True)
    with pytest.raises(services.RunRefused):
        services.month_evaluate(month=dt.date(2022, 8, 1))

    services.rule_set_publish(rule_set=draft)

    assert services.month_evaluate(month=dt.date(2022, 8, 1)).ran


def test_manual_tier_change_is_recorded_and_drives_tier_on(staff):
    partner = PartnerFactory(tier=Tier.GOLD, tier_since=dt.date(2022, 1, 1))

    change = services.tier_set_manually(
        partner=partner, tier=Tier.DIAMOND, acting_user=staff, note="contract", effective_on=dt.date(2022, 3, 1)
    )

    assert (change.reason, change.changed_by, change.from_tier) == ("manual", staff, "gold")
    assert partner.tier == Tier.DIAMOND
    assert tier_on(partner=partner, on=dt.date(2022, 2, 1)) == (Tier.GOLD, partner.joined_on)
    assert tier_on(partner=partner, on=dt.date(2022, 3, 1)) == (Tier.DIAMOND, dt.date(2022, 3, 1))
    assert services.tier_set_manually(partner=partner, tier=Tier.DIAMOND, acting_user=staff) is None


@pytest.mark.parametrize("partner_count", [5, 60])
def test_month_evaluate_query_count_does_not_grow_with_partners(partner_count, django_assert_max_num_queries):
    points_rules()
    for index in range(partner_count):
        partner = PartnerFactory(tier=Tier.SOLUTIONS_PARTNER if index % 2 else Tier.GOLD)
        mrr(partner, "2022-08", sold=str(1000 * (index % 5)), managed="5000")
        mrr(partner, "2022-08", currency="EUR", customer_country="BR", sold="50")

    # Constant: at most one UPDATE per (from, to) tier pair, and there are at most 10 such pairs.
    with django_assert_max_num_queries(32):
        result = services.month_evaluate(month=dt.date(2022, 8, 1))

    assert result.counts["partners"] == partner_count
    assert MonthlySnapshot.objects.count() == partner_count


def test_partner_tier_status_points_have_two_places():
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-08", sold="1000.55", managed="3")  # 30.0165 + 0.03

    evaluate("2022-08")

    [snapshot] = partner_tier_status(partner=partner)["snapshots"]
    assert snapshot == {
        "month": "2022-08",
        "sales_points": "30.02",
        "managed_points": "0.03",
        "points": "30.05",
        "achieved_tier": "solutions_partner",
        "rule_set": "Points 2022",
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_overlapping_monthly_runs_evaluate_the_month_once():
    """Two runs of the same month at once (e.g. beat and an operator): one runs, the other waits and does nothing."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on one SQLite test database are serialised anyway")
    points_rules()
    for _ in range(20):
        mrr(PartnerFactory(), "2022-08", sold="10000")
    results, barrier = [], threading.Barrier(2)

    def run_once():
        try:
            barrier.wait()
            results.append(services.month_evaluate(month=dt.date(2022, 8, 1)).ran)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [False, True]
    assert MonthlySnapshot.objects.count() == 20
    assert TierChange.objects.count() == 20
    assert JobRun.objects.count() == 1  # the second run's start row is dropped once it finds the month done
