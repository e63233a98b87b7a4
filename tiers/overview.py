"""The tier engine's part of the programme overview on the staff home (#12 item 3).

Three sections, each a handful of set-based queries whatever the number of partners:
the tier distribution of the last 24 evaluated months against the programme's targets,
promotions and demotions per month, and the partners at risk before the next
reassessment. Charts are server-rendered SVG with the same data as a table; every
figure links to the list behind it (an admin changelist with its filters, or a page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.access import has_perm
from portal.home import OverviewSection, staff_overview_provider
from portal.models import Partner, PartnerKind, Tier, User
from portal.months import add_months, last_closed_month, month_start, months_between
from tiers import engine
from tiers.book import book_rows, latest_closed_month
from tiers.charts import nice_max
from tiers.models import MonthlySnapshot, TierChange
from tiers.whatif import programme_targets

MONTHS = 24
LADDER_DOWN = list(reversed(Tier.ladder()))  # Elite, Diamond, Platinum, Gold: the bars stack from the top
STYLESHEETS = ("tiers/tiers.css", "tiers/overview.css")
# Chart geometry (SVG user units); the figure scrolls in its own box below 660 px like the points chart.
WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56.0, 118.0, 16.0, 40.0


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def _changelist(name: str, **params: str) -> str:
    return f"{reverse(f'admin:{name}_changelist')}?{urlencode(params)}"


# --- tier distribution against the targets ----------------------------------------------------------


@dataclass
class DistributionMonth:
    month: dt.date
    counts: dict[str, int]  # tier → partners that achieved it that month (Gold and above)
    untiered: int
    x: float = 0.0
    bars: list[tuple[str, float, float, float]] = field(default_factory=list)  # (tier, x, y, height)
    shares: list[tuple[str, Decimal, Decimal, bool]] = field(default_factory=list)  # (tier, share, target, on target)

    @property
    def tiered(self) -> int:
        return sum(self.counts.values())

    @property
    def at_or_above(self) -> dict[str, Decimal]:
        """Cumulative share of tiered partners at or above each tier (the what-if's measure)."""
        result, running = {}, 0
        for tier in LADDER_DOWN:
            running += self.counts.get(tier, 0)
            result[tier] = _percent(running, self.tiered)
        return result

    def link(self, tier: str) -> str:
        return _changelist("tiers_monthlysnapshot", month=self.month.isoformat(), achieved_tier__exact=tier)

    @property
    def cells(self) -> list[tuple[str, int, str]]:
        """(tier, count, link) from Gold up, for the table."""
        return [(tier, self.counts.get(tier, 0), self.link(tier)) for tier in Tier.ladder()]


@dataclass(frozen=True)
class Distribution:
    months: list[DistributionMonth]
    targets: dict[str, Decimal]
    target_lines: list[tuple[str, Decimal, float]]  # (tier, target %, y)
    ticks: list[tuple[float, int]]
    labels: list[tuple[float, dt.date]]
    bar_width: float
    width: int = WIDTH
    height: int = HEIGHT
    plot: dict[str, float] = field(default_factory=dict)

    @property
    def ladder_down(self) -> list[str]:
        return LADDER_DOWN

    @property
    def latest(self) -> DistributionMonth | None:
        return next((m for m in reversed(self.months) if m.tiered), None)


def distribution_months(*, last: dt.date, months: int = MONTHS) -> list[DistributionMonth]:
    """Per month, how many partners achieved each tier (one query)."""
    first = add_months(last, -(months - 1))
    rows = (
        MonthlySnapshot.objects.filter(month__gte=first, month__lte=last)
        .order_by()
        .values("month", "achieved_tier")
        .annotate(n=Count("pk"))
    )
    by_month = {month: DistributionMonth(month, {}, 0) for month in months_between(first, last)}
    for row in rows:
        month = by_month[row["month"]]
        if row["achieved_tier"] == Tier.SOLUTIONS_PARTNER:
            month.untiered += row["n"]
        else:
            month.counts[row["achieved_tier"]] = row["n"]
    return list(by_month.values())


def tier_distribution(*, today: dt.date) -> Distribution:
    """The last 24 evaluated months as 100 % bars of tiered partners, Elite on top, with the target lines."""
    last = latest_closed_month(today) or last_closed_month(today)
    months = distribution_months(last=last)
    targets = programme_targets()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(months)

    def y(percent: Decimal | float) -> float:
        return round(TOP + plot_h * float(percent) / 100, 1)

    bar_width = round(step * 0.7, 1)
    for i, month in enumerate(months):
        month.x = round(LEFT + step * (i + 0.5), 1)
        running = 0
        for tier in LADDER_DOWN:
            count = month.counts.get(tier, 0)
            if count and month.tiered:
                top, bottom = y(Decimal(running) * 100 / month.tiered), y(Decimal(running + count) * 100 / month.tiered)
                # A sliver stays visible: 1 Elite partner in 300 is a third of a pixel.
                month.bars.append((tier, round(month.x - bar_width / 2, 1), top, round(max(bottom - top, 1.0), 1)))
            running += count
        shares = month.at_or_above
        month.shares = [(tier, shares[tier], target, shares[tier] <= target) for tier, target in targets.items()]
    return Distribution(
        months=months,
        targets=targets,
        target_lines=[(tier, target, y(target)) for tier, target in targets.items()],
        ticks=[(y(p), p) for p in (0, 25, 50, 75, 100)],
        labels=[(m.x, m.month) for i, m in enumerate(months) if (len(months) - 1 - i) % 3 == 0],
        bar_width=bar_width,
        plot={"left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": TOP + plot_h},
    )


# --- promotions and demotions per month ----------------------------------------------------------------


@dataclass
class MovesMonth:
    month: dt.date
    up: int
    down: int
    x: float = 0.0
    left: float = 0.0
    up_y: float = 0.0
    up_h: float = 0.0
    down_h: float = 0.0

    def link(self, direction: str) -> str:
        return _changelist(
            "tiers_tierchange",
            effective_on__gte=self.month.isoformat(),
            effective_on__lt=add_months(self.month, 1).isoformat(),
            direction=direction,
        )

    @property
    def up_link(self) -> str:
        return self.link("up")

    @property
    def down_link(self) -> str:
        return self.link("down")


@dataclass(frozen=True)
class Moves:
    months: list[MovesMonth]
    zero_y: float
    ticks: list[tuple[float, int]]
    labels: list[tuple[float, dt.date]]
    bar_width: float
    width: int = WIDTH
    height: int = HEIGHT
    plot: dict[str, float] = field(default_factory=dict)

    @property
    def up_total(self) -> int:
        return sum(m.up for m in self.months)

    @property
    def down_total(self) -> int:
        return sum(m.down for m in self.months)


def moves_by_month(*, first: dt.date, last: dt.date) -> dict[dt.date, tuple[int, int]]:
    """{month: (promotions, demotions)} from the tier history, any reason (one query)."""
    rows = (
        TierChange.objects.filter(effective_on__gte=first, effective_on__lt=add_months(last, 1))
        .annotate(
            m=TruncMonth("effective_on"),
            from_rank=engine.tier_rank_expression("from_tier"),
            to_rank=engine.tier_rank_expression("to_tier"),
        )
        .order_by()
        .values("m")
        .annotate(
            up=Count("pk", filter=Q(to_rank__gt=F("from_rank"))),
            down=Count("pk", filter=Q(to_rank__lt=F("from_rank"))),
        )
    )
    return {row["m"]: (row["up"], row["down"]) for row in rows}


def tier_moves(*, today: dt.date) -> Moves:
    """Promotions above the axis, demotions below, for the 24 months up to this one."""
    last = month_start(today)
    first = add_months(last, -(MONTHS - 1))
    counts = moves_by_month(first=first, last=last)
    months = [MovesMonth(m, *counts.get(m, (0, 0))) for m in months_between(first, last)]
    peak = max([m.up for m in months] + [m.down for m in months] + [1])
    scale = int(nice_max(Decimal(peak)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    half = plot_h / 2
    zero = TOP + half
    step = plot_w / MONTHS
    for i, month in enumerate(months):
        month.x = round(LEFT + step * (i + 0.5), 1)
        month.left = round(month.x - step * 0.35, 1)
        month.up_y = round(zero - half * month.up / scale, 1)
        month.up_h = round(zero - month.up_y, 1)
        month.down_h = round(half * month.down / scale, 1)
    return Moves(
        months=months,
        zero_y=round(zero, 1),
        ticks=[(round(zero - half * f, 1), int(scale * f)) for f in (1, 0.5, 0, -0.5, -1)],
        labels=[(m.x, m.month) for i, m in enumerate(months) if (MONTHS - 1 - i) % 3 == 0],
        bar_width=round(step * 0.7, 1),
        plot={"left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": TOP + plot_h},
    )


# --- partners at risk before the next reassessment --------------------------------------------------


@dataclass(frozen=True)
class AtRisk:
    on: dt.date
    by_tier: list[tuple[str, int, str]]  # (tier, partners at risk holding it, link), Gold up

    @property
    def total(self) -> int:
        return sum(n for _t, n, _l in self.by_tier)


def at_risk_partners(*, today: dt.date):
    """Solutions partners whose best tier so far in the next reassessment's window is below their tier."""
    partners = Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER).exclude(tier=Tier.SOLUTIONS_PARTNER)
    return book_rows(partners=partners, today=today).filter(at_risk=True)


def at_risk(*, today: dt.date) -> AtRisk:
    counts = dict(at_risk_partners(today=today).order_by().values_list("tier").annotate(n=Count("pk")))
    url = reverse("tiers:at-risk")
    return AtRisk(
        on=engine.next_reassessment_date(today),
        by_tier=[(tier, counts.get(tier, 0), f"{url}?{urlencode({'tier': tier})}") for tier in Tier.ladder()],
    )


@staff_overview_provider
def tier_sections(*, user: User, today: dt.date) -> list[OverviewSection]:
    if not has_perm(user, "tiers.view_monthlysnapshot"):
        return []  # a duty without the tier engine's lists (reviewers) gets no figures it cannot open
    return [
        OverviewSection(
            key="tier-distribution",
            title=_("Tier distribution against the targets"),
            template="tiers/overview/_distribution.html",
            data={"chart": tier_distribution(today=today)},
            order=10,
            stylesheets=STYLESHEETS,
        ),
        OverviewSection(
            key="tier-moves",
            title=_("Promotions and demotions"),
            template="tiers/overview/_moves.html",
            data={"chart": tier_moves(today=today)},
            order=20,
            stylesheets=STYLESHEETS,
        ),
        OverviewSection(
            key="at-risk",
            title=_("Partners at risk"),
            template="tiers/overview/_at_risk.html",
            data={"at_risk": at_risk(today=today)},
            order=30,
            stylesheets=STYLESHEETS,
        ),
    ]
