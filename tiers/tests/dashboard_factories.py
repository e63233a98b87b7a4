"""Small builders for the dashboard/book/what-if tests: rule sets, snapshots, MRR rows.

They write rows directly (the engine's own factories belong to the engine's
tests), so these tests pin what the pages show for given data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from portal.models import JobRun, Partner, Tier
from tiers.models import (
    CurrencyCoefficient,
    CustomerMRR,
    EmergingMarket,
    Framework,
    Metric,
    MonthlySnapshot,
    RuleSet,
    RuleSetStatus,
    TierRequirement,
)

D = Decimal

# Points per unit: 3 sales / 1 managed point per US$100 (SPEC §3.2).
COEFFICIENTS = {
    "USD": (D("0.03"), D("0.01")),
    "JPY": (D(3) / D(12000), D(1) / D(12000)),
    "EUR": (D(3) / D(75), D(1) / D(75)),
}
# tier → (points, minimum sales points)
THRESHOLDS = {
    Tier.GOLD: (D(1000), D(200)),
    Tier.PLATINUM: (D(4000), D(800)),
    Tier.DIAMOND: (D(12000), D(2500)),
    Tier.ELITE: (D(40000), D(8000)),
}


def rule_set_make(
    *,
    name: str = "FY2024 points",
    effective_from: dt.date = dt.date(2022, 7, 16),
    status: str = RuleSetStatus.PUBLISHED,
    thresholds: dict[str, tuple[Decimal, Decimal]] | None = None,
    framework: str = Framework.POINTS,
    multiplier: Decimal = Decimal(2),
) -> RuleSet:
    emerging_markets_ensure()
    rule_set = RuleSet.objects.create(
        name=name,
        framework=framework,
        effective_from=effective_from,
        status=status,
        emerging_market_multiplier=multiplier,
        published_at=timezone.now() if status == RuleSetStatus.PUBLISHED else None,
    )
    CurrencyCoefficient.objects.bulk_create(
        CurrencyCoefficient(rule_set=rule_set, currency=c, sales=s, managed=m) for c, (s, m) in COEFFICIENTS.items()
    )
    requirements = []
    for tier, (points, sales) in (thresholds or THRESHOLDS).items():
        if framework == Framework.POINTS:
            requirements.append(TierRequirement(rule_set=rule_set, tier=tier, metric=Metric.POINTS, threshold=points))
            requirements.append(
                TierRequirement(rule_set=rule_set, tier=tier, metric=Metric.MIN_SALES_POINTS, threshold=sales)
            )
        else:
            requirements.append(TierRequirement(rule_set=rule_set, tier=tier, metric=Metric.SOLD_MRR, threshold=points))
            requirements.append(
                TierRequirement(rule_set=rule_set, tier=tier, metric=Metric.MANAGED_MRR, threshold=sales)
            )
    TierRequirement.objects.bulk_create(requirements)
    return rule_set


def emerging_markets_ensure() -> None:
    """The data migration's rows vanish after a transactional (browser) test flushes the database."""
    for country, group in (("BR", "Latin America"), ("IN", "India"), ("SG", "Southeast Asia")):
        EmergingMarket.objects.get_or_create(country=country, defaults={"group": group})


def run_for(month: dt.date) -> JobRun:
    run, _ = JobRun.objects.get_or_create(
        job="monthly_evaluation",
        period=f"{month:%Y-%m}",
        outcome="done",
        defaults={"started_at": timezone.now()},
    )
    return run


def snapshot_make(
    *,
    partner: Partner,
    month: dt.date,
    rule_set: RuleSet,
    sales: Decimal,
    managed: Decimal,
    tier: str,
    customers: int = 0,
) -> MonthlySnapshot:
    return MonthlySnapshot.objects.create(
        partner=partner,
        month=month,
        rule_set=rule_set,
        sales_points=sales,
        managed_points=managed,
        points=sales + managed,
        sold_mrr_usd=sales / D("0.03"),
        managed_mrr_usd=managed / D("0.01"),
        customer_count=customers,
        achieved_tier=tier,
        run=run_for(month),
    )


def mrr_make(
    *,
    partner: Partner,
    month: dt.date,
    domain: str,
    country: str = "US",
    currency: str = "USD",
    sold: Decimal | int = 0,
    managed: Decimal | int = 0,
) -> CustomerMRR:
    return CustomerMRR.objects.create(
        partner=partner,
        month=month,
        customer_domain=domain,
        customer_country=country,
        currency=currency,
        sold_mrr=D(sold),
        managed_mrr=D(managed),
    )


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """`count` first-of-month dates ending at `last`, oldest first."""
    index = last.year * 12 + last.month - 1
    return [dt.date((index - i) // 12, (index - i) % 12 + 1, 1) for i in reversed(range(count))]
