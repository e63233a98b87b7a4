"""The tier engine: pure reads that judge partners against a rule set (SPEC §3).

Everything here is set-based: one aggregate query over the month's MRR rows
(per partner: Σ MRR × coefficient, split by customers in and outside
emerging markets) plus a handful of small lookups, whatever the number of
partners. The multiplier, the USD conversion and rounding are applied to
those sums in Python with `Decimal` (exact on PostgreSQL; SQLite sums in
floating point, rounded to 4 places). Nothing here writes; `tiers.services`
does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from portal.models import Partner, PartnerKind, Tier
from portal.months import add_months, month_end, month_start
from tiers.models import (
    CurrencyCoefficient,
    CustomerMRR,
    EmergingMarket,
    Framework,
    Metric,
    MonthlySnapshot,
    RuleSet,
    RuleSetStatus,
)

ZERO = Decimal(0)
ONE = Decimal(1)
FOUR_PLACES = Decimal("0.0001")
CENTS = Decimal("0.01")
BASE_CURRENCY = "USD"

Requirements = dict[str, dict[str, Decimal]]  # tier → metric → threshold
# Tier.rank() rebuilds the choices on every call: too slow for 10,000 partners.
TIER_RANK = {tier: rank for rank, tier in enumerate(Tier.values)}
LADDER_HIGH_TO_LOW = list(reversed(Tier.ladder()))


class MissingCoefficient(Exception):
    """MRR is in a currency the rule set has no coefficient for."""

    def __init__(self, currencies: Iterable[str]) -> None:
        self.currencies = sorted(set(currencies))
        super().__init__(", ".join(self.currencies))


# --- reassessment dates ------------------------------------------------------


def reassessment_dates(year: int) -> tuple[dt.date, dt.date]:
    """The semiannual reassessment dates of `year`: 15 January and 15 July (SPEC §3.5).

    The one definition: the job schedule, the tasks, the `reassess` check and the
    dashboard all derive their dates from it.
    """
    return dt.date(year, 1, 15), dt.date(year, 7, 15)


def is_reassessment_date(day: dt.date) -> bool:
    return day in reassessment_dates(day.year)


def last_reassessment_date(today: dt.date) -> dt.date:
    """The latest reassessment date on or before `today`."""
    return max(d for d in reassessment_dates(today.year - 1) + reassessment_dates(today.year) if d <= today)


def next_reassessment_date(today: dt.date) -> dt.date:
    """The next reassessment date, today included."""
    return min(d for d in reassessment_dates(today.year) + reassessment_dates(today.year + 1) if d >= today)


def reassessment_months(on: dt.date) -> list[dt.date]:
    """The six calendar months before the month of `on`, oldest first (SPEC §3.5)."""
    first = add_months(month_start(on), -6)
    return [add_months(first, i) for i in range(6)]


# --- rule sets ---------------------------------------------------------------


def rule_set_in_force(month: dt.date) -> RuleSet | None:
    """The published rule set judging `month`: the latest in force on the month's last day."""
    return (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from__lte=month_end(month))
        .order_by("-effective_from", "-published_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Rules:
    """A rule set loaded once: coefficients, requirements and the emerging-market countries."""

    rule_set: RuleSet
    framework: str
    multiplier: Decimal
    coefficients: dict[str, tuple[Decimal, Decimal]]  # currency → (sales, managed)
    requirements: Requirements
    emerging: frozenset[str]


def rules_load(rule_set: RuleSet) -> Rules:
    """Three small queries: coefficients, requirements, active emerging markets."""
    coefficients = {c.currency: (c.sales, c.managed) for c in rule_set.coefficients.all()}
    requirements: Requirements = {}
    for requirement in rule_set.requirements.all():
        requirements.setdefault(requirement.tier, {})[requirement.metric] = requirement.threshold
    emerging = frozenset(
        str(code) for code in EmergingMarket.objects.filter(active=True).values_list("country", flat=True)
    )
    return Rules(
        rule_set=rule_set,
        framework=rule_set.framework,
        multiplier=rule_set.emerging_market_multiplier,
        coefficients=coefficients,
        requirements=requirements,
        emerging=emerging,
    )


# --- judging -----------------------------------------------------------------


def achieved_tier(*, requirements: Requirements, values: Mapping[str, Decimal]) -> str:
    """The highest tier whose every requirement is met.

    `values` maps a metric to the partner's figure: for points rule sets
    `points` and `min_sales_points` (the sales points); for legacy rule sets
    `sold_mrr` and `managed_mrr` (USD, emerging-market credit applied). A
    requirement whose metric has no value is not met, so a Phase 2 metric
    nobody measures yet can never promote by accident.
    """
    for tier in LADDER_HIGH_TO_LOW:
        tier_requirements = requirements.get(tier)
        if not tier_requirements:
            continue
        if all(metric in values and values[metric] >= threshold for metric, threshold in tier_requirements.items()):
            return tier
    return Tier.SOLUTIONS_PARTNER


@dataclass(frozen=True)
class MonthRow:
    """One partner's figures for one month under one rule set (see MonthlySnapshot)."""

    partner_id: int
    sales_points: Decimal
    managed_points: Decimal
    points: Decimal
    sold_mrr_usd: Decimal
    managed_mrr_usd: Decimal
    customer_count: int
    achieved_tier: str


@dataclass
class _Totals:
    country: str
    sales_points: Decimal = ZERO
    managed_points: Decimal = ZERO
    sold_usd: Decimal = ZERO
    managed_usd: Decimal = ZERO
    customers: int = 0


PER_PARTNER_SQL = """
SELECT m.partner_id,
       SUM(m.sold_mrr * c.sales), SUM(CASE WHEN e.id IS NULL THEN 0 ELSE m.sold_mrr * c.sales END),
       SUM(m.managed_mrr * c.managed), SUM(CASE WHEN e.id IS NULL THEN 0 ELSE m.managed_mrr * c.managed END),
       COUNT(*), SUM(CASE WHEN c.id IS NULL THEN 1 ELSE 0 END)
FROM {mrr} m
LEFT JOIN {coefficient} c ON c.rule_set_id = %s AND c.currency = m.currency
LEFT JOIN {emerging} e ON e.country = m.customer_country AND e.active = %s
WHERE m.month = %s{partner_filter}
GROUP BY m.partner_id
"""
# Above this many partners, aggregate the whole month and drop the others in Python
# (no giant IN lists; SQLite limits the number of query parameters).
PARTNER_FILTER_LIMIT = 500


def _decimal(value: object) -> Decimal:
    """SQL sums arrive as Decimal (PostgreSQL numeric) or float (SQLite): make them Decimal."""
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def _per_partner_sums(*, month: dt.date, rule_set: RuleSet, partner_ids: list[int] | None) -> list[tuple]:
    """One aggregate query, the same shape as a bare GROUP BY: per partner, Σ MRR × coefficient.

    Returns (partner_id, sales, sales_em, managed, managed_em, customers,
    rows_without_coefficient); `*_em` are the parts from customers in an
    emerging market, so the multiplier is applied in Python with exact Decimals.
    """
    params: list[object] = [rule_set.pk, True, month]
    partner_filter = ""
    if partner_ids is not None and len(partner_ids) <= PARTNER_FILTER_LIMIT:
        partner_filter = " AND m.partner_id IN ({})".format(", ".join(["%s"] * len(partner_ids)) or "NULL")
        params += partner_ids
    sql = PER_PARTNER_SQL.format(
        mrr=connection.ops.quote_name(CustomerMRR._meta.db_table),
        coefficient=connection.ops.quote_name(CurrencyCoefficient._meta.db_table),
        emerging=connection.ops.quote_name(EmergingMarket._meta.db_table),
        partner_filter=partner_filter,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _missing_currencies(month: dt.date, rule_set: RuleSet) -> list[str]:
    used = CustomerMRR.objects.filter(month=month, partner__kind=PartnerKind.SOLUTIONS_PARTNER)
    known = rule_set.coefficients.values_list("currency", flat=True)
    return sorted(set(used.exclude(currency__in=known).values_list("currency", flat=True).distinct().order_by()))


def _metric_values(totals: _Totals, rules: Rules) -> dict[str, Decimal]:
    """The figures each metric of a requirement is compared with (Phase 2 adds entries here)."""
    if rules.framework == Framework.LEGACY:
        # Legacy: the multiplier follows the *partner's* HQ country (SPEC §3.1).
        credit = rules.multiplier if totals.country in rules.emerging else ONE
        return {Metric.SOLD_MRR: totals.sold_usd * credit, Metric.MANAGED_MRR: totals.managed_usd * credit}
    return {
        Metric.POINTS: totals.sales_points + totals.managed_points,
        Metric.MIN_SALES_POINTS: totals.sales_points,
    }


def compute_month(*, month: dt.date, rule_set: RuleSet, partner_ids: Iterable[int] | None = None) -> list[MonthRow]:
    """Judge every solutions partner (or those in `partner_ids`) for `month` under `rule_set`.

    A pure read, used by the monthly run and by the dashboard's what-if (any
    rule set, draft included). Partners without MRR rows get zeros; providers
    are skipped. Points columns are filled for points rule sets only (0 for
    legacy); the USD columns are always plain USD without the multiplier.
    Raises MissingCoefficient when an MRR currency has no coefficient.
    """
    month = month_start(month)
    rules = rules_load(rule_set)
    ids = None if partner_ids is None else list(partner_ids)
    partners = Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER)
    if ids is not None:
        partners = partners.filter(pk__in=ids)
    totals = {pk: _Totals(country=str(country)) for pk, country in partners.values_list("pk", "country")}
    points_framework = rules.framework == Framework.POINTS
    usd_sales, usd_managed = rules.coefficients.get(BASE_CURRENCY, (ONE, ONE))
    any_missing = False
    for partner_id, *sums, customers, without_coefficient in _per_partner_sums(
        month=month, rule_set=rule_set, partner_ids=ids
    ):
        partner_totals = totals.get(partner_id)
        if partner_totals is None:  # a provider, or not asked for
            continue
        any_missing = any_missing or bool(without_coefficient)
        sales, sales_em, managed, managed_em = (_decimal(value) for value in sums)
        partner_totals.customers = customers
        # Plain USD at the fixed rates: Σ amount × coef[currency] / coef[USD], no multiplier.
        partner_totals.sold_usd = sales / usd_sales if usd_sales else ZERO
        partner_totals.managed_usd = managed / usd_managed if usd_managed else ZERO
        if points_framework:
            # Points: the multiplier follows the *customer's* HQ country (SPEC §3.2).
            partner_totals.sales_points = sales + sales_em * (rules.multiplier - ONE)
            partner_totals.managed_points = managed + managed_em * (rules.multiplier - ONE)
    if any_missing:
        raise MissingCoefficient(_missing_currencies(month, rule_set))
    return [_row(pk, t, rules) for pk, t in sorted(totals.items())]


def _row(partner_id: int, totals: _Totals, rules: Rules) -> MonthRow:
    # USD is money: whole cents, so ¥240,000 at "¥12,000 = US$100" is exactly US$2,000
    # even though the stored coefficient 1/12000 is rounded to 12 places.
    totals.sold_usd = totals.sold_usd.quantize(CENTS)
    totals.managed_usd = totals.managed_usd.quantize(CENTS)
    # Judge the figures the snapshot shows (4 places), not unrounded sums.
    totals.sales_points = sales = totals.sales_points.quantize(FOUR_PLACES)
    totals.managed_points = managed = totals.managed_points.quantize(FOUR_PLACES)
    return MonthRow(
        partner_id=partner_id,
        sales_points=sales,
        managed_points=managed,
        points=sales + managed,
        sold_mrr_usd=totals.sold_usd.quantize(FOUR_PLACES),
        managed_mrr_usd=totals.managed_usd.quantize(FOUR_PLACES),
        customer_count=totals.customers,
        achieved_tier=achieved_tier(requirements=rules.requirements, values=_metric_values(totals, rules)),
    )


@dataclass(frozen=True)
class CustomerContribution:
    customer_domain: str
    customer_country: str
    currency: str
    sold_mrr: Decimal
    managed_mrr: Decimal
    emerging: bool
    sales_points: Decimal
    managed_points: Decimal


def customer_contributions(*, partner_id: int, month: dt.date, rule_set: RuleSet) -> list[CustomerContribution]:
    """Per-customer points of one partner and month: the rows that add up to its snapshot.

    Legacy rule sets give no points (0) per customer; the partner-level credit
    of legacy months is in `compute_month`.
    """
    rules = rules_load(rule_set)
    points_framework = rules.framework == Framework.POINTS
    result = []
    for row in CustomerMRR.objects.filter(partner_id=partner_id, month=month_start(month)).order_by("customer_domain"):
        emerging = str(row.customer_country) in rules.emerging
        sales_c, managed_c = rules.coefficients.get(row.currency, (ZERO, ZERO))
        credit = (rules.multiplier if emerging else ONE) if points_framework else ZERO
        result.append(
            CustomerContribution(
                customer_domain=row.customer_domain,
                customer_country=str(row.customer_country),
                currency=row.currency,
                sold_mrr=row.sold_mrr,
                managed_mrr=row.managed_mrr,
                emerging=emerging,
                sales_points=(row.sold_mrr * sales_c * credit).quantize(FOUR_PLACES),
                managed_points=(row.managed_mrr * managed_c * credit).quantize(FOUR_PLACES),
            )
        )
    return result


# --- reassessment ------------------------------------------------------------


def reassessment_outcome(*, partner_ids: Iterable[int] | None, on: dt.date) -> dict[int, tuple[str, list[dt.date]]]:
    """New tier of each partner at a reassessment on `on`, from its snapshots.

    New tier = the highest tier achieved in the six calendar months before the
    month of `on`, each month as judged (by its own rule set) in its snapshot;
    the list holds the months that achieved it, oldest first. One query.

    Only existing snapshots count: a month not yet evaluated is simply absent.
    That is what the dashboard's "if it ran today" preview wants (the judged
    months so far); the real run (`services.reassessment_run`) refuses to run
    until all six months are evaluated. Partners with no snapshot in the
    window are not in the result (their tier is left as it is).
    """
    snapshots = MonthlySnapshot.objects.filter(month__in=reassessment_months(on))
    if partner_ids is not None:
        snapshots = snapshots.filter(partner_id__in=list(partner_ids))
    outcome: dict[int, tuple[str, list[dt.date]]] = {}
    rows = snapshots.order_by("partner_id", "month").values_list("partner_id", "month", "achieved_tier")
    for partner_id, month, tier in rows:
        best = outcome.get(partner_id)
        if best is None or TIER_RANK[tier] > TIER_RANK[best[0]]:
            outcome[partner_id] = (tier, [month])
        elif tier == best[0]:
            best[1].append(month)
    return outcome
