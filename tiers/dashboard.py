"""Reads behind the tier pages: the partner's "My tier", the CAM's book, the what-if.

Every function takes an already scoped partner (or a scoped partner queryset):
scoping happens once, in the views, through `portal.selectors`. Points of a
customer row are computed in SQL (coefficient × em × MRR) so a page costs the
same number of queries whatever the number of customers or months.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round

from portal.models import Partner, Tier
from portal.months import add_months, month_start
from tiers import engine
from tiers.engine import reassessment_months
from tiers.models import (
    CurrencyCoefficient,
    CustomerMRR,
    EmergingMarket,
    Framework,
    Metric,
    MonthlySnapshot,
    RuleSet,
    RuleSetStatus,
    TierChange,
    TierRequirement,
)

ZERO = Decimal(0)
ONE = Decimal(1)
HISTORY_MONTHS = 24
PROJECTION_MONTHS = 3  # how far the chart projects total points
TREND_MONTHS = 6  # the months the projection's straight line is fitted to
YOY_TARGET = Decimal("30")  # SPEC §3.6: ~30% growth a year to hold a tier
NEAR_PROMOTION = Decimal("0.9")  # within 10% of the next target
POINTS_FIELD = DecimalField(max_digits=30, decimal_places=8)

Requirements = dict[str, dict[str, Decimal]]  # tier → metric → threshold


# --- months and dates -------------------------------------------------------


def next_reassessment(today: dt.date) -> dt.date:
    """The next reassessment date, today included (SPEC §3.5; dates from engine.reassessment_dates)."""
    return engine.next_reassessment_date(today)


def tier_rank_expression(field_name: str) -> Case:
    """A tier column as its rank on the ladder, so SQL can compare tiers."""
    return Case(
        *[When(**{field_name: value}, then=Value(rank)) for rank, value in enumerate(Tier.values)],
        default=Value(0),
        output_field=IntegerField(),
    )


# --- rule sets --------------------------------------------------------------


def rule_set_in_force(day: dt.date) -> RuleSet | None:
    """The published rule set that judges the month containing `day` (the engine decides)."""
    return engine.rule_set_in_force(month_start(day))


def requirements_by_rule_set(rule_set_ids: set[int]) -> dict[int, Requirements]:
    """{rule_set_id: {tier: {metric: threshold}}} in one query."""
    result: dict[int, Requirements] = {pk: {} for pk in rule_set_ids}
    rows = TierRequirement.objects.filter(rule_set_id__in=rule_set_ids).values_list(
        "rule_set_id", "tier", "metric", "threshold"
    )
    for rule_set_id, tier, metric, threshold in rows:
        result[rule_set_id].setdefault(tier, {})[metric] = threshold
    return result


def next_tier(tier: str) -> str | None:
    rank = Tier.rank(tier)
    return Tier.values[rank + 1] if rank + 1 < len(Tier.values) else None


def partner_is_emerging(partner: Partner) -> bool:
    return EmergingMarket.objects.filter(country=partner.country, active=True).exists()


# --- progress and gaps ------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One requirement of a tier against where the partner stands."""

    metric: str
    label: str
    current: Decimal
    threshold: Decimal
    money: bool = False

    @property
    def met(self) -> bool:
        return self.current >= self.threshold

    @property
    def gap(self) -> Decimal:
        return max(self.threshold - self.current, ZERO)

    @property
    def percent(self) -> int:
        if self.threshold <= 0:
            return 100
        return int(min(self.current / self.threshold * 100, Decimal(100)))


@dataclass(frozen=True)
class TierGap:
    tier: str
    measures: list[Measure]

    @property
    def met(self) -> bool:
        return bool(self.measures) and all(m.met for m in self.measures)

    @property
    def label(self) -> str:
        return Tier(self.tier).label


def tier_gap(
    *, tier: str, snapshot: MonthlySnapshot | None, rule_set: RuleSet | None, requirements: Requirements, em: bool
) -> TierGap:
    """How far the latest month is from every requirement of `tier` under `rule_set`."""
    from django.utils.translation import gettext as _

    needed = requirements.get(tier, {})
    if rule_set is None or not needed:
        return TierGap(tier=tier, measures=[])
    s = snapshot
    measures: list[Measure] = []
    if rule_set.framework == Framework.POINTS:
        if Metric.POINTS in needed:
            measures.append(
                Measure(Metric.POINTS, _("Combined points"), s.points if s else ZERO, needed[Metric.POINTS])
            )
        if Metric.MIN_SALES_POINTS in needed:
            current = s.sales_points if s else ZERO
            measures.append(
                Measure(Metric.MIN_SALES_POINTS, _("Sales points"), current, needed[Metric.MIN_SALES_POINTS])
            )
    else:
        # Legacy: emerging-market partners had half the targets (a 2× credit, SPEC §3.1).
        credit = rule_set.emerging_market_multiplier if em else ONE
        if Metric.SOLD_MRR in needed:
            current = (s.sold_mrr_usd if s else ZERO) * credit
            measures.append(Measure(Metric.SOLD_MRR, _("Sold MRR (USD)"), current, needed[Metric.SOLD_MRR], True))
        if Metric.MANAGED_MRR in needed:
            current = (s.managed_mrr_usd if s else ZERO) * credit
            measures.append(
                Measure(Metric.MANAGED_MRR, _("Managed MRR (USD)"), current, needed[Metric.MANAGED_MRR], True)
            )
    return TierGap(tier=tier, measures=measures)


# --- reassessment preview ----------------------------------------------------


@dataclass(frozen=True)
class ReassessmentPreview:
    on: dt.date
    current_tier: str
    outcome_tier: str
    months_met: list[dt.date]
    window: list[dt.date]
    months_evaluated: int
    months_pending: list[dt.date] = field(default_factory=list)  # months of the window not evaluated yet

    @property
    def direction(self) -> str:
        delta = Tier.rank(self.outcome_tier) - Tier.rank(self.current_tier)
        return "up" if delta > 0 else "down" if delta < 0 else "keep"

    @property
    def months_to_come(self) -> int:
        return len(self.window) - self.months_evaluated


def reassessment_preview(*, partner: Partner, today: dt.date) -> ReassessmentPreview:
    """What the next reassessment would give if it ran today, from the snapshots so far."""
    on = next_reassessment(today)
    window = reassessment_months(on)
    # Partners with no evaluated month in the window keep their tier (the engine's rule).
    outcome, months_met = engine.reassessment_outcome(partner_ids=[partner.pk], on=on).get(
        partner.pk, (partner.tier, [])
    )
    evaluated = set(MonthlySnapshot.objects.filter(partner=partner, month__in=window).values_list("month", flat=True))
    return ReassessmentPreview(
        on=on,
        current_tier=partner.tier,
        outcome_tier=outcome,
        months_met=sorted(months_met),
        window=window,
        months_evaluated=len(evaluated),
        months_pending=[m for m in window if m not in evaluated],
    )


@dataclass(frozen=True)
class KeepPace:
    """One requirement of the current tier: what is missing, and that spread over the months left."""

    measure: Measure
    per_month: Decimal  # how much the figure has to grow each month to meet it in the last month that counts


@dataclass(frozen=True)
class KeepTierPlan:
    """What a partner whose preview says "down" needs to keep its tier at the next reassessment.

    The reassessment keeps a tier met in any one month of the window (SPEC §3.5),
    so the partner needs one month, among those not evaluated yet, that meets
    every requirement of its current tier under today's rules.
    """

    tier: str
    on: dt.date
    gap: TierGap
    months_left: list[dt.date]
    paces: list[KeepPace]

    @property
    def label(self) -> str:
        return Tier(self.tier).label

    @property
    def too_late(self) -> bool:
        return not self.months_left


def keep_tier_plan(*, preview: ReassessmentPreview, gap: TierGap) -> KeepTierPlan | None:
    """The keep-your-tier plan when the preview moves the partner down; None otherwise.

    `gap` is `tier_gap` of the current tier against the latest month. The pace
    spreads each missing amount evenly over the months still to come, from the
    latest month's figure to the last month that counts.
    """
    if preview.direction != "down" or preview.months_evaluated == 0 or not gap.measures:
        return None
    months_left = preview.months_pending
    steps = Decimal(len(months_left) or 1)
    paces = [
        KeepPace(measure=m, per_month=(m.gap / steps).quantize(ONE, rounding=ROUND_CEILING))
        for m in gap.measures
        if not m.met
    ]
    return KeepTierPlan(tier=preview.current_tier, on=preview.on, gap=gap, months_left=months_left, paces=paces)


# --- history, chart, growth --------------------------------------------------


def snapshot_history(*, partner: Partner, months: int = HISTORY_MONTHS) -> list[MonthlySnapshot]:
    """The partner's last `months` snapshots, oldest first, with their rule sets."""
    rows = list(MonthlySnapshot.objects.filter(partner=partner).select_related("rule_set").order_by("-month")[:months])
    rows.reverse()
    return rows


@dataclass(frozen=True)
class Growth:
    month: dt.date
    previous_month: dt.date
    current: Decimal
    previous: Decimal
    unit: str  # "points" or "usd"

    @property
    def percent(self) -> Decimal | None:
        if self.previous <= 0:
            return None
        return ((self.current - self.previous) / self.previous * 100).quantize(Decimal("0.1"))

    @property
    def on_track(self) -> bool:
        return self.percent is not None and self.percent >= YOY_TARGET

    @property
    def bar_percent(self) -> int:
        """How much of the bar to fill: growth against the target, 0 for a decline, at most 100."""
        if self.percent is None or self.percent <= 0:
            return 0
        return int(min(self.percent / YOY_TARGET * 100, Decimal(100)))


def yoy_growth(history: list[MonthlySnapshot]) -> Growth | None:
    """Latest month against the same month a year earlier (SPEC §3.6)."""
    if not history:
        return None
    latest = history[-1]
    by_month = {s.month: s for s in history}
    year_ago = by_month.get(add_months(latest.month, -12))
    if year_ago is None:
        return None
    both_points = latest.rule_set.framework == Framework.POINTS and year_ago.rule_set.framework == Framework.POINTS
    if both_points:
        return Growth(latest.month, year_ago.month, latest.points, year_ago.points, "points")
    # Across the framework change points are not comparable; MRR in USD is.
    return Growth(
        latest.month,
        year_ago.month,
        latest.sold_mrr_usd + latest.managed_mrr_usd,
        year_ago.sold_mrr_usd + year_ago.managed_mrr_usd,
        "usd",
    )


def tier_changes(*, partner: Partner, limit: int = 20) -> list[TierChange]:
    """The partner's latest tier changes; a reassessment carries its window and the months that met its tier.

    The explanation is built from those typed values at display time, in the reader's language.
    """
    changes = list(TierChange.objects.filter(partner=partner).order_by("-effective_on", "-created_at")[:limit])
    windows = {c.pk: reassessment_months(c.effective_on) for c in changes if c.reason == TierChange.Reason.REASSESSMENT}
    if windows:
        months = {m for window in windows.values() for m in window}
        achieved = dict(
            MonthlySnapshot.objects.filter(partner=partner, month__in=months).values_list("month", "achieved_tier")
        )
        for change in changes:
            if change.pk in windows:
                change.window = windows[change.pk]
                change.months_met = [m for m in change.window if achieved.get(m) == change.to_tier]
    return changes


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
    """The partner's customers in `month` with coefficient, em multiplier and points, all in SQL.

    Points framework: points = MRR × coefficient[currency] × em(customer country).
    Legacy: the "points" columns hold USD (MRR × USD rate); em was the partner's, not per customer.
    """
    coefficient = CurrencyCoefficient.objects.filter(rule_set=rule_set, currency=OuterRef("currency"))
    emerging = Exists(EmergingMarket.objects.filter(country=OuterRef("customer_country"), active=True))
    if rule_set.framework == Framework.POINTS:
        multiplier = Case(
            When(emerging, then=Value(rule_set.emerging_market_multiplier)),
            default=Value(ONE),
            output_field=POINTS_FIELD,
        )
    else:
        multiplier = Value(ONE, output_field=POINTS_FIELD)
    rows = CustomerMRR.objects.filter(partner=partner, month=month).annotate(
        sales_coefficient=Coalesce(Subquery(coefficient.values("sales")[:1]), Value(ZERO), output_field=POINTS_FIELD),
        managed_coefficient=Coalesce(
            Subquery(coefficient.values("managed")[:1]), Value(ZERO), output_field=POINTS_FIELD
        ),
        is_emerging=emerging,
        multiplier=multiplier,
    )
    rows = rows.annotate(
        # Four places, like the engine's snapshots (a 12-place coefficient such as 1/12000 is inexact).
        sales_points=Round(
            ExpressionWrapper(F("sold_mrr") * F("sales_coefficient") * F("multiplier"), output_field=POINTS_FIELD), 4
        ),
        managed_points=Round(
            ExpressionWrapper(F("managed_mrr") * F("managed_coefficient") * F("multiplier"), output_field=POINTS_FIELD),
            4,
        ),
    )
    return rows.annotate(
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


def breakdown_choices(*, partner: Partner, month: dt.date) -> tuple[list[str], list[str]]:
    """Countries and currencies present in the month, for the filter selects (one query)."""
    pairs = CustomerMRR.objects.filter(partner=partner, month=month).values_list("customer_country", "currency")
    countries, currencies = set(), set()
    for country, currency in pairs.distinct():
        countries.add(str(country))
        currencies.add(currency)
    return sorted(countries), sorted(currencies)


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
    *, partner: Partner, before: tuple[dt.date, RuleSet], after: tuple[dt.date, RuleSet], limit: int = 20
) -> PointChanges:
    """New and lost points by customer between two months, each judged by its own rule set."""
    totals: dict[str, list[Decimal]] = {}
    for index, (month, rule_set) in enumerate((before, after)):
        for domain, points in customer_rows(partner=partner, month=month, rule_set=rule_set).values_list(
            "customer_domain", "total_points"
        ):
            totals.setdefault(domain, [ZERO, ZERO])[index] = points
    changes = [PointChange(domain, b, a) for domain, (b, a) in totals.items() if a != b]
    changes.sort(key=lambda c: (-abs(c.delta), c.domain))
    return PointChanges(
        before_month=before[0],
        after_month=after[0],
        changes=changes[:limit],
        gained=sum((c.delta for c in changes if c.delta > 0), ZERO),
        lost=sum((-c.delta for c in changes if c.delta < 0), ZERO),
        changed_count=len(changes),
    )


# --- the CAM's book -----------------------------------------------------------


BOOK_SORTS = {
    "name": "name",
    "tier": "tier_rank",
    "points": "last_points",
    "trend": "trend",
}


def latest_closed_month(today: dt.date) -> dt.date | None:
    """The most recent month with snapshots, not after last month."""
    last = add_months(month_start(today), -1)
    return MonthlySnapshot.objects.filter(month__lte=last).order_by("-month").values_list("month", flat=True).first()


def book_rows(*, partners: QuerySet[Partner], today: dt.date) -> QuerySet[Partner]:
    """The book annotated with last month's points, trend, at-risk and near-promotion flags.

    At risk: the best tier achieved in the next reassessment's window so far is
    below the current tier (SPEC §3.5). Near promotion: last month's points are
    within 10% of the next tier's points target under the rules in force today.
    """
    month = latest_closed_month(today)
    window = reassessment_months(next_reassessment(today))
    # order_by(): the model orders by partner (→ its name), a join per subquery otherwise.
    snapshots = MonthlySnapshot.objects.filter(partner=OuterRef("pk")).order_by()
    best_rank = (
        snapshots.filter(month__in=window)
        .annotate(rank=tier_rank_expression("achieved_tier"))
        .order_by("-rank")
        .values("rank")[:1]
    )
    rows = partners.annotate(
        tier_rank=tier_rank_expression("tier"),
        last_points=Subquery(snapshots.filter(month=month).values("points")[:1], output_field=POINTS_FIELD),
        previous_points=Subquery(
            snapshots.filter(month=add_months(month, -1) if month else None).values("points")[:1],
            output_field=POINTS_FIELD,
        ),
        # NULL when no month of the window is evaluated yet: the tier is then kept.
        best_rank=Subquery(best_rank, output_field=IntegerField()),
        next_target=_next_target_expression(today),
    )
    return rows.annotate(
        trend=ExpressionWrapper(
            Coalesce(F("last_points"), Value(ZERO)) - Coalesce(F("previous_points"), Value(ZERO)),
            output_field=POINTS_FIELD,
        ),
        at_risk=Case(
            When(Q(best_rank__isnull=False, best_rank__lt=F("tier_rank")) & ~Q(kind="provider"), then=Value(True)),
            default=Value(False),
        ),
        near_promotion=Case(
            When(
                Q(next_target__isnull=False)
                & Q(last_points__lt=F("next_target"))
                & Q(last_points__gte=F("next_target") * NEAR_PROMOTION)
                & ~Q(kind="provider"),
                then=Value(True),
            ),
            default=Value(False),
        ),
    )


def book_sparklines(*, partner_ids: list[int], month: dt.date | None, months: int = 6) -> dict[int, str]:
    """SVG polyline points (80×20 box) of each partner's last `months` points, in one query."""
    if month is None or not partner_ids:
        return {}
    first = add_months(month, -(months - 1))
    series: dict[int, dict[dt.date, Decimal]] = {}
    rows = MonthlySnapshot.objects.filter(partner_id__in=partner_ids, month__gte=first, month__lte=month)
    for pk, snapshot_month, points in rows.values_list("partner_id", "month", "points"):
        series.setdefault(pk, {})[snapshot_month] = points
    lines = {}
    for pk, by_month in series.items():
        values = [by_month.get(add_months(first, i), ZERO) for i in range(months)]
        # Scaled between the partner's own low and high: the shape is the point, not the size.
        low, high = min(values), max(values)
        span = (high - low) or ONE
        lines[pk] = " ".join(
            f"{i * 80 / (months - 1):.1f},{18 - float((v - low) / span) * 16:.1f}" for i, v in enumerate(values)
        )
    return lines


def _next_target_expression(today: dt.date) -> Case | Value:
    """Points target of the tier above each partner's, under today's rules, as SQL."""
    rule_set = rule_set_in_force(today)
    if rule_set is None or rule_set.framework != Framework.POINTS:
        return Value(None, output_field=POINTS_FIELD)
    requirements = requirements_by_rule_set({rule_set.pk})[rule_set.pk]
    whens = []
    for tier in Tier.values:
        above = next_tier(tier)
        target = requirements.get(above, {}).get(Metric.POINTS) if above else None
        if target is not None:
            whens.append(When(tier=tier, then=Value(target)))
    return Case(*whens, default=Value(None), output_field=POINTS_FIELD)


def filter_book(rows: QuerySet[Partner], *, q: str, tier: str, flag: str, sort: str) -> QuerySet[Partner]:
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(partner_id__icontains=q))
    if tier:
        rows = rows.filter(tier=tier)
    if flag == "at_risk":
        rows = rows.filter(at_risk=True)
    elif flag == "near_promotion":
        rows = rows.filter(near_promotion=True)
    column = BOOK_SORTS.get(sort.lstrip("-"), "name")
    order = F(column).desc(nulls_last=True) if sort.startswith("-") else F(column).asc(nulls_first=True)
    return rows.order_by(order, "name")


def published_rule_sets() -> QuerySet[RuleSet]:
    return RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED)


# --- points-history chart (server-rendered SVG geometry) ---------------------


@dataclass
class ChartMonth:
    month: dt.date
    x: float
    left: float
    snapshot: MonthlySnapshot
    thresholds: dict[str, Decimal]
    y: float = 0.0  # of the total-points dot, once the axis is known

    @functools.cached_property
    def text(self) -> dict[str, str]:
        """Every label of this month, formatted once: the chart and its table repeat them."""
        from django.utils.translation import get_language

        from tiers.templatetags.tiers_extras import _month_label

        s = self.snapshot
        return {
            "month": _month_label(self.month, get_language()),
            "tier": str(Tier(s.achieved_tier).label),
            "points": f"{s.points:,.0f}",
            "sales": f"{s.sales_points:,.0f}",
            "managed": f"{s.managed_points:,.0f}",
            "sold_usd": f"{s.sold_mrr_usd:,.0f}",
            "managed_usd": f"{s.managed_mrr_usd:,.0f}",
            "thresholds": " · ".join(f"{Tier(t).label} {v:,.0f}" for t, v in self.thresholds.items()),
        }


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot: dict[str, float]
    months: list[ChartMonth]
    series: dict[str, str]  # name → SVG polyline points
    threshold_paths: list[tuple[str, str, Decimal, float]]  # (tier, SVG path, latest threshold, its y)
    ticks: list[tuple[float, Decimal]]
    labels: list[tuple[float, dt.date]]
    strip_y: float
    step: float
    projection: str = ""  # SVG polyline from the last month through the projected months
    projected: list[tuple[float, float, dt.date, Decimal]] = field(default_factory=list)  # (x, y, month, points)


def points_projection(history: list[MonthlySnapshot]) -> list[tuple[dt.date, Decimal]]:
    """Total points for the next few months on the least-squares line of the last six.

    A plain trend, said to be one on the page: it tells a partner where the current
    pace leads, not what the programme promises. Never below zero; nothing when fewer
    than three months have points (legacy months carry none).
    """
    recent = [s for s in history[-TREND_MONTHS:] if s.points > 0]
    if len(recent) < 3 or recent[-1] is not history[-1]:
        return []
    n = len(recent)
    mean_x = Decimal(n - 1) / 2
    mean_y = sum(s.points for s in recent) / n
    spread = sum((Decimal(i) - mean_x) ** 2 for i in range(n))
    slope = sum((Decimal(i) - mean_x) * (s.points - mean_y) for i, s in enumerate(recent)) / spread
    intercept = mean_y - slope * mean_x
    last = history[-1].month
    return [
        (add_months(last, k), max(ZERO, intercept + slope * (n - 1 + k)).quantize(Decimal("0.01")))
        for k in range(1, PROJECTION_MONTHS + 1)
    ]


def projected_reach(*, chart: Chart | None, gap: TierGap | None) -> dt.date | None:
    """The first projected month whose total points reach the combined-points target of `gap`'s tier."""
    if chart is None or gap is None:
        return None
    points = next((m for m in gap.measures if m.metric == Metric.POINTS), None)
    if points is None or points.met:
        return None
    return next((month for _, _, month, value in chart.projected if value >= points.threshold), None)


def _nice_max(value: Decimal) -> Decimal:
    """A round axis maximum ≥ value (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n)."""
    if value <= 0:
        return Decimal(100)
    exponent = len(str(int(value))) - 1
    base = Decimal(10) ** exponent
    for factor in (1, Decimal("1.2"), Decimal("1.5"), 2, Decimal("2.5"), 3, 4, 5, 6, 8, 10):
        if base * factor >= value:
            return base * factor
    return base * 10


def points_chart(history: list[MonthlySnapshot], requirements: dict[int, Requirements]) -> Chart | None:
    """Geometry of the points-history chart: sales, managed and total lines, thresholds per month."""
    if not history:
        return None
    width, height = 760, 300
    left, right, top, bottom = 64.0, 16.0, 16.0, 64.0
    plot_w, plot_h = width - left - right, height - top - bottom
    projection = points_projection(history)
    step = plot_w / (len(history) + len(projection))
    months = [
        ChartMonth(
            month=s.month,
            x=left + step * (i + 0.5),
            left=round(left + step * i, 1),
            snapshot=s,
            thresholds={
                t: r[Metric.POINTS] for t, r in requirements.get(s.rule_set_id, {}).items() if Metric.POINTS in r
            },
        )
        for i, s in enumerate(history)
    ]
    peak = max(s.points for s in history)
    shown = _tiers_to_show(months, peak)
    ceiling = max(
        [peak, *[value for _, value in projection], *[m.thresholds.get(t, ZERO) for m in months for t in shown]]
    )
    y_max = _nice_max(ceiling * Decimal("1.05"))

    def y(value: Decimal) -> float:
        return round(top + plot_h * (1 - float(value / y_max)), 1)

    def line(attr: str) -> str:
        return " ".join(f"{m.x:.1f},{y(getattr(m.snapshot, attr))}" for m in months)

    for m in months:
        m.y = y(m.snapshot.points)
    paths = []
    for tier in shown:
        parts = [
            f"M{m.x - step / 2:.1f} {y(m.thresholds[tier])}H{m.x + step / 2:.1f}"
            for m in months
            if tier in m.thresholds
        ]
        latest = next((m.thresholds[tier] for m in reversed(months) if tier in m.thresholds), ZERO)
        paths.append((tier, "".join(parts), latest, y(latest)))
    projected = [
        (round(left + step * (len(months) + k + 0.5), 1), y(value), month, value)
        for k, (month, value) in enumerate(projection)
    ]
    return Chart(
        width=width,
        height=height,
        plot={"left": left, "top": top, "right": width - right, "bottom": top + plot_h},
        months=months,
        series={"total": line("points"), "sales": line("sales_points"), "managed": line("managed_points")},
        threshold_paths=paths,
        ticks=[(y(y_max * i / 4), y_max * i / 4) for i in range(5)],
        labels=[(m.x, m.month) for i, m in enumerate(months) if (len(months) - 1 - i) % 3 == 0],
        strip_y=top + plot_h + 8,
        step=step,
        projection=" ".join([f"{months[-1].x:.1f},{months[-1].y}", *[f"{x},{py}" for x, py, _, _ in projected]])
        if projected
        else "",
        projected=projected,
    )


def _tiers_to_show(months: list[ChartMonth], peak: Decimal) -> list[str]:
    """Threshold lines up to the first tier above the partner's best month: higher ones would flatten the chart."""
    shown = []
    for tier in Tier.ladder():
        values = [m.thresholds[tier] for m in months if tier in m.thresholds]
        if not values:
            continue
        shown.append(tier)
        if max(values) > peak:
            break
    return shown
