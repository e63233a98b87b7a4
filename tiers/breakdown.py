"""Reads behind the per-customer breakdown: every point traced to a customer, and point changes.

A customer row's figures are the engine's (`engine.customer_figures`), so the
rows of a month add up exactly to the partner's snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, QuerySet

from portal.models import Partner
from tiers import engine
from tiers.models import CustomerMRR, Framework, RuleSet

ZERO = Decimal(0)
POINTS_FIELD = engine.POINTS_FIELD


# --- per-customer breakdown ---------------------------------------------------


BREAKDOWN_SORTS = {
    "domain": "customer_domain",
    "country": "customer_country",
    "currency": "currency",
    "sold": "sold_mrr",
    "managed": "managed_mrr",
    "coefficient": "sales_coefficient",
    "points": "total_points",
}


@dataclass
class BreakdownFilters:
    q: str = ""
    country: str = ""
    currency: str = ""
    em: str = ""  # "", "yes", "no"
    sort: str = "-points"
    extra: dict = field(default_factory=dict)


def customer_rows(*, partner: Partner, month: dt.date, rule_set: RuleSet) -> QuerySet[CustomerMRR]:
    """The partner's customers in `month` with coefficient, multiplier and points, all in SQL.

    Points framework: the engine's two-place points per customer (`engine.customer_figures`).
    Legacy: the "points" columns hold the customer's USD in cents (the credit was the partner's).
    """
    return _with_points(CustomerMRR.objects.filter(partner=partner, month=month), rule_set=rule_set)


class CustomerRows:
    """One partner's `customer_rows`, the formula built once per rule set: one request's worth.

    Building the annotated queryset is the costly part in Python, and a dashboard needs
    it for the breakdown and for both months of the point changes. Never shared across
    partners or requests.
    """

    def __init__(self, partner: Partner) -> None:
        self.partner = partner
        self._by_rule_set: dict[int, QuerySet[CustomerMRR]] = {}

    def month(self, *, month: dt.date, rule_set: RuleSet) -> QuerySet[CustomerMRR]:
        if rule_set.pk not in self._by_rule_set:
            rows = CustomerMRR.objects.filter(partner=self.partner)
            self._by_rule_set[rule_set.pk] = _with_points(rows, rule_set=rule_set)
        return self._by_rule_set[rule_set.pk].filter(month=month)


# What a breakdown row shows (and its CSV): the engine's other figures (USD, unrounded values)
# are not selected, so PostgreSQL computes seven expressions a row instead of eleven.
ROW_FIGURES = (
    "sales_coefficient",
    "managed_coefficient",
    "is_emerging",
    "multiplier",
    "sales_points",
    "managed_points",
)


def _with_points(rows: QuerySet[CustomerMRR], *, rule_set: RuleSet) -> QuerySet[CustomerMRR]:
    figures = engine.customer_figures(engine.lookup_inputs(rule_set))
    if rule_set.framework != Framework.POINTS:
        figures["sales_points"], figures["managed_points"] = figures["sold_usd"], figures["managed_usd"]
    return rows.annotate(**{name: figures[name] for name in ROW_FIGURES}).annotate(
        total_points=ExpressionWrapper(F("sales_points") + F("managed_points"), output_field=POINTS_FIELD)
    )


def filter_customer_rows(rows: QuerySet[CustomerMRR], filters: BreakdownFilters) -> QuerySet[CustomerMRR]:
    if filters.q:
        rows = rows.filter(customer_domain__icontains=filters.q.strip())
    if filters.country:
        rows = rows.filter(customer_country=filters.country)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    if filters.em == "yes":
        rows = rows.filter(is_emerging=True)
    elif filters.em == "no":
        rows = rows.filter(is_emerging=False)
    key = filters.sort.lstrip("-")
    column = BREAKDOWN_SORTS.get(key, "total_points")
    descending = filters.sort.startswith("-")
    order = F(column).desc() if descending else F(column).asc()
    return rows.order_by(order, "customer_domain")


@dataclass(frozen=True)
class MonthGroups:
    """A month's customers counted by (country, currency, emerging market): one query gives the
    filter selects' choices and the row count of any filter but a domain search (the pager's count)."""

    counts: dict[tuple[str, str, bool], int]

    @property
    def countries(self) -> list[str]:
        return sorted({country for country, _currency, _em in self.counts})

    @property
    def currencies(self) -> list[str]:
        return sorted({currency for _country, currency, _em in self.counts})

    def count(self, filters: BreakdownFilters) -> int | None:
        """How many rows `filter_customer_rows` keeps; None when a domain search needs the rows."""
        if filters.q.strip():
            return None
        return sum(
            n
            for (country, currency, em), n in self.counts.items()
            if (not filters.country or country == filters.country)
            and (not filters.currency or currency == filters.currency)
            and (filters.em not in ("yes", "no") or em == (filters.em == "yes"))
        )


def month_groups(rows: QuerySet[CustomerMRR]) -> MonthGroups:
    """`MonthGroups` of one month's `customer_rows` (its `is_emerging` is the engine's)."""
    grouped = rows.order_by().values_list("customer_country", "currency", "is_emerging").annotate(n=Count("*"))
    return MonthGroups({(str(country), currency, bool(em)): n for country, currency, em, n in grouped})


# --- point changes between two months ----------------------------------------


@dataclass(frozen=True)
class PointChange:
    domain: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def kind(self) -> str:
        if self.before == 0 and self.after > 0:
            return "new"
        if self.after == 0 and self.before > 0:
            return "lost"
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"


@dataclass(frozen=True)
class PointChanges:
    """Totals over every customer; `changes` holds the largest ones only."""

    before_month: dt.date
    after_month: dt.date
    changes: list[PointChange]
    gained: Decimal
    lost: Decimal
    changed_count: int

    @property
    def net(self) -> Decimal:
        return self.gained - self.lost


def point_changes(
    *,
    partner: Partner,
    before: tuple[dt.date, RuleSet],
    after: tuple[dt.date, RuleSet],
    limit: int = 20,
    customers: CustomerRows | None = None,
) -> PointChanges:
    """New and lost points by customer between two months, each judged by its own rule set.

    One query: the two months' customer points are set side by side, and the totals
    and the `limit` largest changes come back, not a row per customer.
    """
    if customers is None or customers.partner.pk != partner.pk:
        customers = CustomerRows(partner)  # usually one rule set judges both months: built once
    (before_sql, before_params), (after_sql, after_params) = (
        customers.month(month=month, rule_set=rule_set)
        .values("customer_domain", "total_points")
        .query.sql_with_params()
        for month, rule_set in (before, after)
    )
    # The two months side by side by a full join on the domain (a customer appears once a month:
    # the key is (month, partner, customer_domain)), not a UNION ALL regrouped by domain, whose
    # hash aggregate was a third of the query; only the changed customers are counted and
    # summed, and the `limit` largest returned.
    sql = (
        f"WITH before_rows AS ({before_sql}), after_rows AS ({after_sql}), "
        "changed AS (SELECT COALESCE(a.customer_domain, b.customer_domain) AS domain, "
        "COALESCE(b.total_points, 0) AS before_points, COALESCE(a.total_points, 0) AS after_points "
        "FROM before_rows b FULL OUTER JOIN after_rows a ON a.customer_domain = b.customer_domain "
        "WHERE COALESCE(a.total_points, 0) <> COALESCE(b.total_points, 0)) "
        "SELECT domain, before_points, after_points, "
        "SUM(CASE WHEN after_points > before_points THEN after_points - before_points ELSE 0 END) OVER (), "
        "SUM(CASE WHEN after_points < before_points THEN before_points - after_points ELSE 0 END) OVER (), "
        "COUNT(*) OVER () "
        "FROM changed ORDER BY ABS(after_points - before_points) DESC, domain LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*before_params, *after_params, limit])
        rows = cursor.fetchall()
    gained, lost, changed_count = (_decimal(rows[0][3]), _decimal(rows[0][4]), rows[0][5]) if rows else (ZERO, ZERO, 0)
    return PointChanges(
        before_month=before[0],
        after_month=after[0],
        changes=[PointChange(domain, _decimal(b), _decimal(a)) for domain, b, a, *_totals in rows],
        gained=gained,
        lost=lost,
        changed_count=changed_count,
    )


def _decimal(value: object) -> Decimal:
    """Points as the two-place Decimals the engine gives (SQLite returns raw SQL's sums as numbers)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.01"))
