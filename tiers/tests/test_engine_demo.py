"""The demo seed: real history through the services, a Gold-near-Platinum demo partner, deterministic."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from demo.people import seed_people
from portal.models import JobRun, Partner, PartnerKind, Tier
from tiers import demo
from tiers.models import CustomerMRR, MonthlySnapshot, RuleSet, TierChange

TODAY = dt.date(2026, 11, 26)


@pytest.mark.django_db
def test_demo_seed_builds_a_real_history_with_p00001_gold_near_platinum():
    rng = random.Random(2022)
    people = seed_people(rng=rng, password="demo-password", today=TODAY)

    demo.seed(rng=rng, people=people, today=TODAY)

    months = sorted(set(CustomerMRR.objects.values_list("month", flat=True)))
    assert (len(months), months[-1]) == (24, dt.date(2026, 10, 1))
    assert CustomerMRR.objects.values("partner", "customer_domain").distinct().count() >= 8000
    currencies = set(CustomerMRR.objects.values_list("currency", flat=True))
    assert len(currencies) >= 8 and "JPY" in currencies
    assert JobRun.objects.filter(job="monthly_evaluation", outcome="done").count() == 24
    assert set(JobRun.objects.filter(job="reassessment").values_list("period", flat=True)) == {
        "2025-07-15",
        "2026-01-15",
        "2026-07-15",
    }
    assert RuleSet.objects.filter(status="draft", effective_from=dt.date(2027, 7, 1)).exists()
    assert TierChange.objects.filter(reason="promotion").exists()
    assert TierChange.objects.filter(reason="reassessment").exists()
    assert not MonthlySnapshot.objects.filter(partner__kind=PartnerKind.PROVIDER).exists()

    p00001 = Partner.objects.get(partner_id="P00001")
    last = MonthlySnapshot.objects.select_related("rule_set").get(partner=p00001, month=dt.date(2026, 10, 1))
    platinum = last.rule_set.requirements.get(tier=Tier.PLATINUM, metric="points").threshold
    assert p00001.tier == Tier.GOLD
    assert platinum * 85 / 100 <= last.points < platinum


def test_demo_mrr_is_deterministic_given_the_rng():
    partners = [
        Partner(partner_id=f"P{i:05d}", name="x", country=c, kind=PartnerKind.SOLUTIONS_PARTNER)
        for i, c in enumerate(["JP", "US", "BR", "DE"], 1)
    ]

    def lines(seed: int) -> list[str]:
        rng = random.Random(seed)
        books = [demo._book(rng, partner) for partner in partners]
        return list(demo._mrr_lines(books, dt.date(2024, 11, 1)))

    assert lines(7) == lines(7)
    assert lines(7) != lines(8)
