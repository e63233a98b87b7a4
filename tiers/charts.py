"""Geometry of the points-history chart (server-rendered SVG) and its trend projection."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from portal.models import Tier
from portal.months import add_months
from tiers.engine import Requirements
from tiers.models import Metric, MonthlySnapshot
from tiers.progress import TierGap

ZERO = Decimal(0)
PROJECTION_MONTHS = 3  # how far the chart projects total points
TREND_MONTHS = 6  # the months the projection's straight line is fitted to


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


def nice_max(value: Decimal) -> Decimal:
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
    y_max = nice_max(ceiling * Decimal("1.05"))

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
