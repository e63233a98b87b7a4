"""Reads behind the CAM's book: each partner's last month, trend, at-risk and near-promotion flags.

The flags are the engine's rules (`engine.at_risk_condition`,
`engine.near_promotion_condition`), judged set-based in SQL for the whole book.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import EllipsisType

from django.db.models import Case, ExpressionWrapper, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from portal.models import Partner, PartnerKind, Tier
from portal.months import add_months, last_closed_month, month_start, months_between
from tiers import engine
from tiers.engine import reassessment_months, tier_rank_expression
from tiers.models import Framework, Metric, MonthlySnapshot, RuleSet, RuleSetStatus
from tiers.progress import next_tier, requirements_by_rule_set

ZERO = Decimal(0)
ONE = Decimal(1)
POINTS_FIELD = engine.POINTS_FIELD


# --- the CAM's book -----------------------------------------------------------


BOOK_SORTS = {
    "name": "name",
    "tier": "tier_rank",
    "points": "last_points",
    "trend": "trend",
}


def latest_closed_month(today: dt.date) -> dt.date | None:
    """The most recent month with snapshots, not after last month."""
    return (
        MonthlySnapshot.objects.filter(month__lte=last_closed_month(today))
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def book_rows(
    *, partners: QuerySet[Partner], today: dt.date, month: dt.date | None | EllipsisType = ...
) -> QuerySet[Partner]:
    """The book annotated with last month's points, trend, at-risk and near-promotion flags.

    At risk: the best tier achieved in the next reassessment's window so far is
    below the current tier (SPEC §3.5). Near promotion: last month's points are
    within 10% of the next tier's points target under the rules in force today.
    `month` is `latest_closed_month(today)` when the caller has already read it.
    """
    if month is ...:
        month = latest_closed_month(today)
    window = reassessment_months(engine.next_reassessment_date(today))
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
            When(
                engine.at_risk_condition(tier_rank="tier_rank", best_rank="best_rank") & ~Q(kind=PartnerKind.PROVIDER),
                then=Value(True),
            ),
            default=Value(False),
        ),
        near_promotion=Case(
            When(
                engine.near_promotion_condition(points="last_points", next_target="next_target")
                & ~Q(kind=PartnerKind.PROVIDER),
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
    window = list(months_between(first, month))
    lines = {}
    for pk, by_month in series.items():
        values = [by_month.get(m, ZERO) for m in window]
        # Scaled between the partner's own low and high: the shape is the point, not the size.
        low, high = min(values), max(values)
        span = (high - low) or ONE
        lines[pk] = " ".join(
            f"{i * 80 / (months - 1):.1f},{18 - float((v - low) / span) * 16:.1f}" for i, v in enumerate(values)
        )
    return lines


def _next_target_expression(today: dt.date) -> Case | Value:
    """Points target of the tier above each partner's, under today's rules, as SQL."""
    rule_set = engine.rule_set_in_force(month_start(today))
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
