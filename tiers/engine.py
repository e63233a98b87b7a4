"""The tier engine: every tier rule of the portal, as pure reads (SPEC §3, docs/rules.md).

One points formula (`customer_figures`: a customer's sales and managed points,
rounded half-up to two places once), one judged month (`judged_month_sql`: per
partner the exact sums of its customers' figures and the tier achieved, one
aggregate query over the month's MRR rows whatever the number of partners), the
metric values of a snapshot, reassessment dates and window, and the at-risk and
near-promotion flags. Exact on PostgreSQL (numeric); SQLite, the first-run
default, computes in floating point. Nothing here writes; `tiers.services` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import NullIf, Round

from portal.models import Partner, PartnerKind, Tier
from portal.months import add_months, month_end, month_start, months_between
from tiers.metric_sources import metric_source_for
from tiers.models import (
    PHASE2_METRICS,
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
TWO_PLACES = Decimal("0.01")
BASE_CURRENCY = "USD"
POINTS_FIELD = DecimalField(max_digits=30, decimal_places=8)

Requirements = dict[str, dict[str, Decimal]]  # tier → metric → threshold
TIER_RANK = {tier: Tier.rank(tier) for tier in Tier.values}
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
    last = add_months(month_start(on), -1)
    return list(months_between(add_months(last, -5), last))


# --- rule sets ---------------------------------------------------------------


def rule_set_in_force(month: dt.date) -> RuleSet | None:
    """The published rule set judging `month`: the latest in force on the month's last day."""
    return rule_sets_in_force(month).first()


def rule_sets_in_force(month: dt.date) -> QuerySet[RuleSet]:
    """The published rule sets effective by the month's last day, the one in force first."""
    return RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from__lte=month_end(month)).order_by(
        "-effective_from", "-published_at", "-pk"
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
    nobody measures yet can never promote by accident. The monthly run applies
    the same rule in SQL (`achieved_tier_sql`; a test holds the two together).
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
    customer_revenue_retention: Decimal | None
    review_rating: Decimal | None
    certified_people: Decimal | None
    accreditations: Decimal | None
    achieved_tier: str

    @property
    def phase2(self) -> dict[str, Decimal | None]:
        return {str(metric): getattr(self, metric) for metric in PHASE2_METRICS}


# --- the points formula (the one definition) ------------------------------------


@dataclass(frozen=True)
class CustomerInputs:
    """Where the formula's inputs come from, as SQL expressions over one `CustomerMRR` row.

    The monthly run and the what-if take the coefficients from a join and the rest from the
    loaded rule set (`joined_inputs`); the breakdown reads the coefficients and emerging markets in
    one small query and writes them in as constants (`lookup_inputs`). The formula itself is
    `customer_figures`, whatever the source.
    """

    sales_coefficient: Expression
    managed_coefficient: Expression
    is_emerging: Expression
    multiplier: Expression  # the multiplier this customer's points get (1 outside emerging markets)
    usd_sales: Expression  # the USD coefficients: MRR × coefficient / USD coefficient is plain USD
    usd_managed: Expression


def _points(value: Decimal | int) -> Value:
    return Value(Decimal(value), output_field=POINTS_FIELD)


def joined_inputs(rules: Rules) -> CustomerInputs:
    """The formula's inputs for the set-based run: the coefficients from the join `c` of
    `JUDGED_MONTH_SQL` (NULL for a currency without one), the rest constants of the loaded rule set.
    """
    emerging = Q(customer_country__in=sorted(rules.emerging))
    usd_sales, usd_managed = rules.coefficients.get(BASE_CURRENCY, (ONE, ONE))
    return CustomerInputs(
        sales_coefficient=RawSQL("c.sales", (), output_field=POINTS_FIELD),
        managed_coefficient=RawSQL("c.managed", (), output_field=POINTS_FIELD),
        is_emerging=Case(When(emerging, then=Value(True)), default=Value(False), output_field=BooleanField()),
        multiplier=_multiplier(rules.framework, rules.multiplier, emerging),
        usd_sales=_points(usd_sales),
        usd_managed=_points(usd_managed),
    )


def lookup_inputs(rule_set: RuleSet) -> CustomerInputs:
    """The formula's inputs for rows read through the ORM (the breakdown, the point changes).

    The rule set's coefficients and the active emerging markets are read in one small query and
    written into the SQL as constants: a `CASE` on the currency (0 for a currency without a
    coefficient, as the subqueries' `COALESCE` gave; the run refuses such a month) and an `IN` on
    the country. The figures are the ones per-row subqueries gave (tiers/tests hold the breakdown
    to the run), but
    PostgreSQL no longer runs a subquery per row and per use — the formula names each input
    several times, and a dashboard's point changes read two months of 2,000 customers.
    """
    coefficients, emerging_countries = _coefficients_and_emerging(rule_set)
    emerging = Q(customer_country__in=emerging_countries)
    usd_sales, usd_managed = coefficients.get(BASE_CURRENCY, (ONE, ONE))
    return CustomerInputs(
        sales_coefficient=_by_currency({currency: pair[0] for currency, pair in coefficients.items()}),
        managed_coefficient=_by_currency({currency: pair[1] for currency, pair in coefficients.items()}),
        is_emerging=Case(When(emerging, then=Value(True)), default=Value(False), output_field=BooleanField()),
        multiplier=_multiplier(rule_set.framework, rule_set.emerging_market_multiplier, emerging),
        usd_sales=_points(usd_sales),
        usd_managed=_points(usd_managed),
    )


def _coefficients_and_emerging(rule_set: RuleSet) -> tuple[dict[str, tuple[Decimal, Decimal]], list[str]]:
    """One query: the rule set's coefficients (currency → (sales, managed)) and the active emerging markets."""
    no_value = Value(None, output_field=CurrencyCoefficient._meta.get_field("sales"))
    coefficients = CurrencyCoefficient.objects.filter(rule_set=rule_set).values_list("currency", "sales", "managed")
    countries = EmergingMarket.objects.filter(active=True).values_list("country", no_value, no_value)
    by_currency: dict[str, tuple[Decimal, Decimal]] = {}
    emerging: list[str] = []
    for code, sales, managed in coefficients.order_by().union(countries.order_by(), all=True):
        if sales is None:
            emerging.append(str(code))
        else:
            by_currency[code] = (sales, managed)
    return by_currency, sorted(emerging)


def _by_currency(coefficients: Mapping[str, Decimal]) -> Case | Value:
    """The row's coefficient as a constant per currency; 0 for a currency the rule set has none for."""
    if not coefficients:
        return _points(ZERO)
    whens = [When(currency=currency, then=_points(value)) for currency, value in sorted(coefficients.items())]
    return Case(*whens, default=_points(ZERO), output_field=POINTS_FIELD)


def _multiplier(framework: str, multiplier: Decimal, emerging: Q | Exists) -> Case | Value:
    """Points: the multiplier follows the *customer's* HQ country (SPEC §3.2). Legacy credit is the partner's."""
    if framework != Framework.POINTS:
        return _points(ONE)
    return Case(When(emerging, then=_points(multiplier)), default=_points(ONE), output_field=POINTS_FIELD)


def _round(expression: Expression) -> Round:
    # PostgreSQL rounds numeric half away from zero: half-up, since MRR is never negative.
    return Round(ExpressionWrapper(expression, output_field=POINTS_FIELD), 2, output_field=POINTS_FIELD)


def customer_figures(inputs: CustomerInputs) -> dict[str, Expression]:
    """A customer's figures for a month, as SQL annotations of its `CustomerMRR` row (SPEC §3.2).

    The one points formula and the one rounding rule of the portal:

    * sales points = sold MRR × sales coefficient[currency] × multiplier, rounded half-up to 2 places;
    * managed points = managed MRR × managed coefficient[currency] × multiplier, likewise;
    * sold / managed USD = MRR × coefficient / USD coefficient, shown in cents (half-up), no multiplier.

    A partner's points are the exact sums of its customers' rounded points
    (`judged_month_sql`), so the breakdown always adds up to the snapshot, and the
    two-place figure shown is the figure compared with the thresholds. A partner's
    USD is money as before: the month's exact sum (`sold_value` ÷ USD coefficient)
    rounded to cents once, so a legacy breakdown's cents may differ from it by rounding.
    """
    return {
        "sales_coefficient": inputs.sales_coefficient,
        "managed_coefficient": inputs.managed_coefficient,
        "is_emerging": inputs.is_emerging,
        "multiplier": inputs.multiplier,
        "sales_points": _round(F("sold_mrr") * inputs.sales_coefficient * inputs.multiplier),
        "managed_points": _round(F("managed_mrr") * inputs.managed_coefficient * inputs.multiplier),
        "sold_usd": _round(F("sold_mrr") * inputs.sales_coefficient / NullIf(inputs.usd_sales, _points(ZERO))),
        "managed_usd": _round(
            F("managed_mrr") * inputs.managed_coefficient / NullIf(inputs.usd_managed, _points(ZERO))
        ),
        # Unrounded, for the partner's USD: Σ MRR × coefficient ÷ USD coefficient, in cents once.
        "sold_value": F("sold_mrr") * inputs.sales_coefficient,
        "managed_value": F("managed_mrr") * inputs.managed_coefficient,
    }


def round_points(value: Decimal) -> Decimal:
    """The rounding rule in Python (half-up, 2 places), for figures computed outside SQL."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# --- metric values and judging ------------------------------------------------------


def legacy_credit(*, framework: str, multiplier: Decimal, partner_emerging: bool) -> Decimal:
    """Legacy rule sets: an emerging-market *partner* had its MRR credited × multiplier (SPEC §3.1)."""
    return multiplier if framework == Framework.LEGACY and partner_emerging else ONE


def metric_values(
    *,
    framework: str,
    sales_points: Decimal,
    managed_points: Decimal,
    sold_usd: Decimal,
    managed_usd: Decimal,
    credit: Decimal = ONE,
    phase2: Mapping[str, Decimal | None] | None = None,
) -> dict[str, Decimal]:
    """The figures each metric of a requirement is compared with.

    Points rule sets: `points` (sales + managed) and `min_sales_points`; legacy:
    `sold_mrr` and `managed_mrr` in USD × the partner's credit (`legacy_credit`).
    Either framework adds the Phase 2 values it measured (`phase2`: metric → value;
    None — e.g. no customers to retain — leaves the metric out, so it is not met).
    """
    if framework == Framework.LEGACY:
        values = {Metric.SOLD_MRR: sold_usd * credit, Metric.MANAGED_MRR: managed_usd * credit}
    else:
        values = {Metric.POINTS: sales_points + managed_points, Metric.MIN_SALES_POINTS: sales_points}
    for metric, value in (phase2 or {}).items():
        if value is not None:
            values[metric] = value
    return values


def phase2_metrics_used(requirements: Requirements) -> list[str]:
    """The Phase 2 metrics some tier of `requirements` requires, in display order (the run measures only these)."""
    used = {metric for tier_requirements in requirements.values() for metric in tier_requirements}
    return [str(metric) for metric in PHASE2_METRICS if metric in used]


def phase2_metrics_unmeasured(requirements: Requirements) -> list[str]:
    """Required Phase 2 metrics nobody provides a value for (no source registered): every partner has 0."""
    return [
        metric
        for metric in phase2_metrics_used(requirements)
        if metric != Metric.CUSTOMER_REVENUE_RETENTION and metric_source_for(metric) is None
    ]


def snapshot_phase2_values(snapshot: MonthlySnapshot | None) -> dict[str, Decimal | None]:
    """The Phase 2 values a snapshot stored (None where its rule set did not measure them)."""
    if snapshot is None:
        return {}
    return {
        str(metric): None if getattr(snapshot, metric) is None else Decimal(getattr(snapshot, metric))
        for metric in PHASE2_METRICS
    }


def snapshot_metric_values(
    snapshot: MonthlySnapshot | None, *, rule_set: RuleSet, partner_emerging: bool
) -> dict[str, Decimal]:
    """`metric_values` of a stored snapshot (zeros without one) judged under `rule_set`."""
    credit = legacy_credit(
        framework=rule_set.framework, multiplier=rule_set.emerging_market_multiplier, partner_emerging=partner_emerging
    )
    s = snapshot
    return metric_values(
        framework=rule_set.framework,
        sales_points=s.sales_points if s else ZERO,
        managed_points=s.managed_points if s else ZERO,
        sold_usd=s.sold_mrr_usd if s else ZERO,
        managed_usd=s.managed_mrr_usd if s else ZERO,
        credit=credit,
        phase2=snapshot_phase2_values(s),
    )


class _Sql(str):
    """A SQL column or expression that `metric_values` can add and multiply like a Decimal."""

    def __add__(self, other: object) -> _Sql:
        return _Sql(f"({self} + {other})")

    def __mul__(self, other: object) -> _Sql:
        return _Sql(f"({self} * {other})")


def achieved_tier_sql(*, requirements: Requirements, values: Mapping[str, str]) -> tuple[str, list[object]]:
    """`achieved_tier` as a SQL CASE over metric-value SQL expressions (the run judges set-based).

    The same rule: the highest tier whose every requirement is met; a metric with
    no value is never met; none → solutions_partner. Tested to agree with `achieved_tier`.
    """
    whens, params = [], []
    for tier in LADDER_HIGH_TO_LOW:
        tier_requirements = requirements.get(tier)
        if not tier_requirements or any(metric not in values for metric in tier_requirements):
            continue
        conditions = []
        for metric, threshold in sorted(tier_requirements.items()):
            conditions.append(f"({values[metric]}) >= CAST(%s AS NUMERIC)")
            params.append(threshold)
        whens.append(f"WHEN {' AND '.join(conditions)} THEN %s")
        params.append(str(tier))
    if not whens:
        return "%s", [str(Tier.SOLUTIONS_PARTNER)]
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, str(Tier.SOLUTIONS_PARTNER)]


# Room for a whole month's per-partner sums in memory when the run aggregates into a table (per transaction).
AGGREGATE_WORK_MEM = "128MB"
# Above this many partners, aggregate the whole month and drop the others (no giant IN lists).
PARTNER_FILTER_LIMIT = 500

JUDGED_MONTH_SQL = """
WITH sums AS (
    SELECT {mrr}.partner_id,
           SUM({sales_points}) AS sales, SUM({managed_points}) AS managed,
           SUM({sold_value}) AS sold_value, SUM({managed_value}) AS managed_value,
           COUNT(*) AS customers, COUNT(*) - COUNT(c.id) AS missing
    FROM {mrr}
    LEFT JOIN {coefficient} c ON c.rule_set_id = %s AND c.currency = {mrr}.currency
    WHERE {mrr}.month = %s{mrr_filter}
    GROUP BY {mrr}.partner_id
){retention_cte}{source_ctes}, figures AS (
    SELECT p.id AS partner_id, {points_sales} AS sales_points, {points_managed} AS managed_points,
           COALESCE(ROUND(s.sold_value / NULLIF(CAST(%s AS NUMERIC), 0), 2), 0) AS sold_usd,
           COALESCE(ROUND(s.managed_value / NULLIF(CAST(%s AS NUMERIC), 0), 2), 0) AS managed_usd,
           COALESCE(s.customers, 0) AS customers, COALESCE(s.missing, 0) AS missing, {credit} AS credit,
           {phase2_columns}
    FROM {partner} p LEFT JOIN sums s ON s.partner_id = p.id{phase2_joins}
    WHERE p.kind = %s{partner_filter}
)
SELECT partner_id, sales_points, managed_points, sales_points + managed_points AS points,
       sold_usd AS sold_mrr_usd, managed_usd AS managed_mrr_usd, customers AS customer_count,
       {phase2_names}, {achieved} AS achieved_tier, missing, credit
FROM figures
"""
# Customer revenue retention (docs/rules.md): the base is every customer a partner had MRR for 12 months
# before the judged month; each keeps at most its base value; values are sold + managed MRR at the judging
# rule set's rate (sales coefficient ÷ the USD one, which cancels out of the ratio, so it is left out);
# the figure is kept ÷ base in percent, half-up to 2 places; no base → NULL (not met).
RETENTION_CTE = """, retention AS (
    SELECT kept.partner_id, SUM(kept.base_value) AS base_value,
           SUM(CASE WHEN kept.value < kept.base_value THEN kept.value ELSE kept.base_value END) AS kept
    FROM (
        SELECT b.partner_id, (b.sold_mrr + b.managed_mrr) * cb.sales AS base_value,
               COALESCE((n.sold_mrr + n.managed_mrr) * cn.sales, 0) AS value
        FROM {mrr} b
        JOIN {coefficient} cb ON cb.rule_set_id = %s AND cb.currency = b.currency
        LEFT JOIN {mrr} n
            ON n.month = %s AND n.partner_id = b.partner_id AND n.customer_domain = b.customer_domain
        LEFT JOIN {coefficient} cn ON cn.rule_set_id = %s AND cn.currency = n.currency
        WHERE b.month = %s{base_filter}
    ) kept
    GROUP BY kept.partner_id
)"""
JUDGED_COLUMNS = [
    "partner_id",
    "sales_points",
    "managed_points",
    "points",
    "sold_mrr_usd",
    "managed_mrr_usd",
    "customer_count",
    *(str(metric) for metric in PHASE2_METRICS),
    "achieved_tier",
]


def judged_month_sql(*, month: dt.date, rules: Rules, partner_ids: list[int] | None = None) -> tuple[str, list[object]]:
    """One SELECT judging every solutions partner (or those in `partner_ids`) for `month`.

    Rows of JUDGED_COLUMNS + rows_without_coefficient, one per partner (zeros without
    MRR). The per-customer figures are `customer_figures` compiled to SQL (so a
    partner's figures are the exact sums of what its breakdown shows), the metric
    values those of `metric_values`, the tier `achieved_tier_sql`: one aggregate over
    the month's rows, the shape of a bare GROUP BY, and nothing per partner in Python.
    """
    quote = connection.ops.quote_name
    mrr = quote(CustomerMRR._meta.db_table)
    query = CustomerMRR.objects.all().query
    compiler = query.get_compiler(connection=connection)
    figures = customer_figures(joined_inputs(rules))
    parts: dict[str, str] = {}
    params: list[object] = []
    for name in ("sales_points", "managed_points", "sold_value", "managed_value"):
        sql, part_params = compiler.compile(figures[name].resolve_expression(query))
        parts[name] = sql
        params += part_params
    params += [rules.rule_set.pk, month]
    mrr_filter = partner_filter = ""
    if partner_ids is not None and len(partner_ids) <= PARTNER_FILTER_LIMIT:
        mrr_filter = f" AND {mrr}.partner_id IN ({', '.join(['%s'] * len(partner_ids)) or 'NULL'})"
        params += partner_ids
    usd = list(rules.coefficients.get(BASE_CURRENCY, (ONE, ONE)))  # USD: sales, managed
    phase2 = phase2_metrics_used(rules.requirements)
    retention_cte = ""
    if Metric.CUSTOMER_REVENUE_RETENTION in phase2:
        base_filter = ""
        if partner_ids is not None and len(partner_ids) <= PARTNER_FILTER_LIMIT:
            base_filter = f" AND b.partner_id IN ({', '.join(['%s'] * len(partner_ids)) or 'NULL'})"
        retention_cte = RETENTION_CTE.format(
            mrr=mrr, coefficient=quote(CurrencyCoefficient._meta.db_table), base_filter=base_filter
        )
        params += [rules.rule_set.pk, month, rules.rule_set.pk, add_months(month, -12)]
        if base_filter:
            params += partner_ids
    # Registered sources as CTEs whose column list names their columns, whatever the source calls them.
    sources = {metric: metric_source_for(metric) for metric in phase2 if metric != Metric.CUSTOMER_REVENUE_RETENTION}
    source_ctes = []
    for metric, source in sources.items():
        if source is not None:
            source_sql, source_params = source(month)
            source_ctes.append(f", m_{metric} (partner_id, value) AS ({source_sql})")
            params += list(source_params)
    params += usd
    # Legacy: the credit follows the *partner's* HQ country (SPEC §3.1, `legacy_credit`).
    credit = "1"
    emerging = sorted(rules.emerging)
    if rules.framework == Framework.LEGACY and emerging:
        credit = f"CASE WHEN p.country IN ({', '.join(['%s'] * len(emerging))}) THEN CAST(%s AS NUMERIC) ELSE 1 END"
        params += [*emerging, rules.multiplier]
    phase2_columns, phase2_joins = [], []
    for metric in PHASE2_METRICS:
        if metric not in phase2:
            phase2_columns.append(f"CAST(NULL AS NUMERIC) AS {metric}")
        elif metric == Metric.CUSTOMER_REVENUE_RETENTION:
            phase2_columns.append(f"ROUND(100 * r.kept / NULLIF(r.base_value, 0), 2) AS {metric}")
            phase2_joins.append(" LEFT JOIN retention r ON r.partner_id = p.id")
        elif sources[metric] is None:
            phase2_columns.append(f"CAST(0 AS NUMERIC) AS {metric}")  # nobody measures it yet: 0 for everyone
        else:
            phase2_columns.append(f"COALESCE(ROUND(CAST(m_{metric}.value AS NUMERIC), 2), 0) AS {metric}")
            phase2_joins.append(f" LEFT JOIN m_{metric} ON m_{metric}.partner_id = p.id")
    params.append(str(PartnerKind.SOLUTIONS_PARTNER))
    if partner_ids is not None:
        partner_filter = f" AND p.id IN ({', '.join(['%s'] * len(partner_ids)) or 'NULL'})"
        params += partner_ids
    values = _judged_values(rules, sold_usd="sold_usd", managed_usd="managed_usd")
    achieved, achieved_params = achieved_tier_sql(requirements=rules.requirements, values=values)
    points = rules.framework == Framework.POINTS
    sql = JUDGED_MONTH_SQL.format(
        mrr=mrr,
        coefficient=quote(CurrencyCoefficient._meta.db_table),
        partner=quote(Partner._meta.db_table),
        mrr_filter=mrr_filter,
        partner_filter=partner_filter,
        points_sales="COALESCE(s.sales, 0)" if points else "0.00",
        points_managed="COALESCE(s.managed, 0)" if points else "0.00",
        credit=credit,
        achieved=achieved,
        retention_cte=retention_cte,
        source_ctes="".join(source_ctes),
        phase2_columns=",\n           ".join(phase2_columns),
        phase2_joins="".join(phase2_joins),
        phase2_names=", ".join(str(metric) for metric in PHASE2_METRICS),
        **parts,
    )
    return sql, params + achieved_params


def _judged_values(rules: Rules, *, sold_usd: str = "sold_mrr_usd", managed_usd: str = "managed_mrr_usd") -> dict:
    """`metric_values` as SQL over the judged month's columns (inside it: the `figures` names)."""
    return metric_values(
        framework=rules.framework,
        sales_points=_Sql("sales_points"),
        managed_points=_Sql("managed_points"),
        sold_usd=_Sql(sold_usd),
        managed_usd=_Sql(managed_usd),
        credit=_Sql("credit"),
        phase2={metric: _Sql(metric) for metric in phase2_metrics_used(rules.requirements)},
    )


@dataclass(frozen=True)
class RequirementEffect:
    """One requirement of a tier over a judged month: who fails it, and who fails nothing else of the tier."""

    tier: str
    metric: str
    threshold: Decimal
    failing: int  # partners below this threshold
    held_back: int  # partners meeting every other requirement of the tier but not this one


def requirement_effects(*, month: dt.date, rule_set: RuleSet, rules: Rules | None = None) -> list[RequirementEffect]:
    """Per requirement of `rule_set`, how many partners it holds back in `month` (the what-if's view).

    One aggregate over `judged_month_sql`: each requirement's test is the run's own
    (`achieved_tier_sql`'s comparison; a metric without a value is not met), counted with
    FILTER clauses, so the figures add nothing per partner in Python. Ladder order, each
    tier's metrics in `Metric` order.
    """
    month = month_start(month)
    rules = rules or rules_load(rule_set)
    values = _judged_values(rules)
    order = {metric: index for index, metric in enumerate(Metric.values)}
    met: dict[tuple[str, str], str] = {}
    requirements: list[tuple[str, str, Decimal]] = []
    params: list[object] = []
    for tier in Tier.ladder():
        for metric, threshold in sorted(rules.requirements.get(tier, {}).items(), key=lambda item: order[item[0]]):
            requirements.append((tier, metric, threshold))
            met[tier, metric] = f"met_{len(requirements)}"
    tests = []
    for (_tier, metric, threshold), name in zip(requirements, met.values(), strict=True):
        tests.append(
            f"COALESCE(({values[metric]}) >= CAST(%s AS NUMERIC), FALSE) AS {name}"
            if metric in values
            else f"FALSE AS {name}"
        )
        if metric in values:
            params.append(threshold)
    if not requirements:
        return []
    counts = []
    for tier, metric, _threshold in requirements:
        name = met[tier, metric]
        others = [met[tier, other] for other in rules.requirements[tier] if other != metric]
        counts.append(f"COUNT(*) FILTER (WHERE NOT {name})")
        counts.append(f"COUNT(*) FILTER (WHERE NOT {name}{''.join(f' AND {o}' for o in others)})")
    sql, judged_params = judged_month_sql(month=month, rules=rules)
    query = f"SELECT {', '.join(counts)} FROM (SELECT {', '.join(tests)} FROM ({sql}) judged) tested"
    with connection.cursor() as cursor:
        cursor.execute(query, params + judged_params)
        row = cursor.fetchone()
    return [
        RequirementEffect(tier, metric, threshold, row[2 * index], row[2 * index + 1])
        for index, (tier, metric, threshold) in enumerate(requirements)
    ]


def compute_month(*, month: dt.date, rule_set: RuleSet, partner_ids: Iterable[int] | None = None) -> list[MonthRow]:
    """Judge every solutions partner (or those in `partner_ids`) for `month` under `rule_set`.

    A pure read of `judged_month_sql`, used by the what-if (any rule set, draft
    included); the monthly run inserts the same SELECT's rows as snapshots. Partners
    without MRR rows get zeros; providers are skipped. Points columns are filled for
    points rule sets only (0 for legacy); the USD columns are always plain USD
    without the multiplier. Raises MissingCoefficient when an MRR currency has no coefficient.
    """
    month = month_start(month)
    rules = rules_load(rule_set)
    ids = None if partner_ids is None else list(partner_ids)
    sql, params = judged_month_sql(month=month, rules=rules, partner_ids=ids)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY partner_id", params)
        rows = cursor.fetchall()
    if any(row[-2] for row in rows):  # …, missing, credit
        raise MissingCoefficient(missing_currencies(month, rule_set))
    return [MonthRow(*row[:-2]) for row in rows]


@dataclass(frozen=True)
class MonthTiers:
    """Each partner's points and tier achieved in a month: the part of `compute_month` a what-if needs."""

    points: dict[int, Decimal]
    tiers: dict[int, str]


def month_tiers(*, month: dt.date, rule_set: RuleSet, rules: Rules | None = None) -> MonthTiers:
    """`judged_month_sql` for every solutions partner, fetching only points and tier (the what-if's read).

    `rules`: the rule set already loaded (`rules_load`), if the caller has it. Raises MissingCoefficient
    like `compute_month`.
    """
    month = month_start(month)
    sql, params = judged_month_sql(month=month, rules=rules or rules_load(rule_set))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT partner_id, points, achieved_tier, missing FROM ({sql}) judged", params)
        rows = cursor.fetchall()
    if any(missing for *_, missing in rows):
        raise MissingCoefficient(missing_currencies(month, rule_set))
    return MonthTiers(
        points={pk: points for pk, points, _tier, _missing in rows},
        tiers={pk: tier for pk, _points, tier, _missing in rows},
    )


def missing_currencies(month: dt.date, rule_set: RuleSet) -> list[str]:
    """The currencies of the month's MRR (solutions partners) that `rule_set` has no coefficient for."""
    used = CustomerMRR.objects.filter(month=month, partner__kind=PartnerKind.SOLUTIONS_PARTNER)
    known = rule_set.coefficients.values_list("currency", flat=True)
    return sorted(set(used.exclude(currency__in=known).values_list("currency", flat=True).distinct().order_by()))


# --- outlook flags: at risk, near promotion --------------------------------------------

NEAR_PROMOTION = Decimal("0.9")  # within 10% of the next tier's points target


def is_at_risk(*, tier: str, best_in_window: str | None) -> bool:
    """At risk: the best tier achieved in the next reassessment's window so far is below the current tier.

    No evaluated month in the window (`None`) → the tier is kept, so not at risk (SPEC §3.5).
    """
    return best_in_window is not None and TIER_RANK[best_in_window] < TIER_RANK[tier]


def is_near_promotion(*, points: Decimal | None, next_target: Decimal | None) -> bool:
    """Near promotion: last month's points are within 10% of the next tier's points target, not at it."""
    if points is None or next_target is None:
        return False
    return next_target * NEAR_PROMOTION <= points < next_target


def at_risk_condition(*, tier_rank: str, best_rank: str) -> Q:
    """`is_at_risk` as SQL over two rank columns (the CAM book judges its partners set-based)."""
    return Q(**{f"{best_rank}__isnull": False, f"{best_rank}__lt": F(tier_rank)})


def near_promotion_condition(*, points: str, next_target: str) -> Q:
    """`is_near_promotion` as SQL over a points column and a target column."""
    return (
        Q(**{f"{next_target}__isnull": False, f"{points}__isnull": False})
        & Q(**{f"{points}__lt": F(next_target)})
        & Q(**{f"{points}__gte": F(next_target) * NEAR_PROMOTION})
    )


def tier_rank_expression(field_name: str) -> Case:
    """A tier column as its rank on the ladder, so SQL can compare tiers."""
    return Case(
        *[When(**{field_name: value}, then=Value(rank)) for value, rank in TIER_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


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
