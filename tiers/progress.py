"""Reads behind "My tier": where the partner stands, the reassessment preview, the keep-tier plan, growth.

Every function takes an already scoped partner: scoping happens once, in the
views, through `portal.selectors`. The rules (metric values, reassessment
dates and window, the tier achieved) are the engine's; this module only
shapes them for the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from portal.models import Partner, Tier
from portal.months import add_months
from tiers import engine
from tiers.engine import Requirements, reassessment_months
from tiers.models import (
    METRIC_DIMENSION,
    PHASE2_METRICS,
    Dimension,
    EmergingMarket,
    Framework,
    Metric,
    MonthlySnapshot,
    RuleSet,
    TierChange,
    TierRequirement,
)

ZERO = Decimal(0)
ONE = Decimal(1)
HISTORY_MONTHS = 24
YOY_TARGET = Decimal("30")  # SPEC §3.6: ~30% growth a year to hold a tier


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
    """One requirement of a tier against where the partner stands.

    `current` is None for a Phase 2 metric not measured for the month (retention without
    customers 12 months before, or a month judged by rules that did not require it): not met.
    `unit` says how the page writes it: points, money (USD), percent, rating or count.
    """

    metric: str
    label: str
    current: Decimal | None
    threshold: Decimal
    money: bool = False
    unit: str = "points"

    @property
    def met(self) -> bool:
        return self.current is not None and self.current >= self.threshold

    @property
    def gap(self) -> Decimal:
        return max(self.threshold - (self.current or ZERO), ZERO)

    @property
    def percent(self) -> int:
        if self.threshold <= 0:
            return 100
        return int(min((self.current or ZERO) / self.threshold * 100, Decimal(100)))

    @property
    def gap_count(self) -> int:
        """The gap in whole people or accreditations (counts only)."""
        return int(self.gap.to_integral_value(rounding=ROUND_CEILING))

    @property
    def measured(self) -> bool:
        return self.current is not None

    @property
    def phase2(self) -> bool:
        return self.metric in PHASE2_METRICS

    @property
    def dimension_label(self) -> str:
        return Dimension(METRIC_DIMENSION[self.metric]).label


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
    *,
    tier: str,
    snapshot: MonthlySnapshot | None,
    rule_set: RuleSet | None,
    requirements: Requirements,
    em: bool,
    phase2: dict[str, Decimal | None] | None = None,
) -> TierGap:
    """How far the latest month is from every requirement of `tier` under `rule_set`.

    The figures are the engine's metric values of the snapshot (`engine.snapshot_metric_values`):
    for legacy rule sets the USD with the emerging-market partner's credit (`em`). `phase2`
    replaces the snapshot's Phase 2 values when the snapshot was judged by rules that did not
    measure them (`phase2_now`). A required Phase 2 metric without a value is shown, not met.
    """
    from django.utils.translation import gettext as _

    needed = requirements.get(tier, {})
    if rule_set is None or not needed:
        return TierGap(tier=tier, measures=[])
    values = engine.snapshot_metric_values(snapshot, rule_set=rule_set, partner_emerging=em)
    if phase2 is not None:
        values = {metric: value for metric, value in values.items() if metric not in PHASE2_METRICS}
        values |= {metric: value for metric, value in phase2.items() if value is not None}
    labels = {
        Metric.POINTS: (_("Combined points"), "points"),
        Metric.MIN_SALES_POINTS: (_("Sales points"), "points"),
        Metric.SOLD_MRR: (_("Sold MRR (USD)"), "money"),
        Metric.MANAGED_MRR: (_("Managed MRR (USD)"), "money"),
        Metric.CUSTOMER_REVENUE_RETENTION: (_("Customer revenue retention"), "percent"),
        Metric.REVIEW_RATING: (_("Client review rating"), "rating"),
        Metric.CERTIFIED_PEOPLE: (_("Certified people"), "count"),
        Metric.ACCREDITATIONS: (_("Accreditations held"), "count"),
    }
    measures = [
        Measure(metric, label, values.get(metric), needed[metric], unit == "money", unit)
        for metric, (label, unit) in labels.items()
        if metric in needed and (metric in values or metric in PHASE2_METRICS)
    ]
    return TierGap(tier=tier, measures=measures)


def phase2_now(
    *, partner: Partner, snapshot: MonthlySnapshot | None, rule_set: RuleSet | None, requirements: Requirements
) -> dict[str, Decimal | None] | None:
    """The latest month's Phase 2 values as the rules in force measure them, when the snapshot lacks them.

    None (use the snapshot) when the rules in force require no Phase 2 metric, or the snapshot was
    judged by them. Otherwise the month is judged again for this partner alone under the rules in
    force (`engine.compute_month`, one query besides loading the rules): a snapshot judged before a
    Phase 2 rule set took effect still shows where the partner stands against it.
    """
    if rule_set is None or snapshot is None or not engine.phase2_metrics_used(requirements):
        return None
    if snapshot.rule_set_id == rule_set.pk:
        return None
    try:
        [row] = engine.compute_month(month=snapshot.month, rule_set=rule_set, partner_ids=[partner.pk])
    except (engine.MissingCoefficient, ValueError):
        return None
    return row.phase2


@dataclass(frozen=True)
class Phase2Row:
    """One Phase 2 metric the rules in force require: the partner's value against the current and next tier."""

    metric: str
    label: str
    dimension_label: str
    unit: str
    current: Decimal | None
    tier_threshold: Decimal | None
    next_threshold: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        if self.next_threshold is None:
            return None
        return max(self.next_threshold - (self.current or ZERO), ZERO)

    @property
    def meets_tier(self) -> bool | None:
        if self.tier_threshold is None:
            return None
        return self.current is not None and self.current >= self.tier_threshold


def phase2_rows(*, tier: str, current: TierGap, next_gap: TierGap | None) -> list[Phase2Row]:
    """The Phase 2 measures of the current and next tier side by side (the dashboard's card); [] when none."""
    by_metric: dict[str, dict[str, Measure]] = {}
    for key, gap in (("tier", current), ("next", next_gap)):
        for measure in gap.measures if gap else []:
            if measure.phase2:
                by_metric.setdefault(measure.metric, {})[key] = measure
    rows = []
    for metric in PHASE2_METRICS:
        if metric not in by_metric:
            continue
        pair = by_metric[metric]
        any_measure = pair.get("next") or pair["tier"]
        rows.append(
            Phase2Row(
                metric=metric,
                label=any_measure.label,
                dimension_label=any_measure.dimension_label,
                unit=any_measure.unit,
                current=any_measure.current,
                tier_threshold=pair["tier"].threshold if "tier" in pair else None,
                next_threshold=pair["next"].threshold if "next" in pair else None,
            )
        )
    return rows


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
    on = engine.next_reassessment_date(today)
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
