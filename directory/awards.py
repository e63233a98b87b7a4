"""Global Partner of the Year: every solutions partner's figures for a year, who is eligible and the ranking.

The figures are defined in docs/rules.md ("Global Partner of the Year"). Everything is read set-based:
the last evaluated month, two snapshot queries (January and the closing month), two customer queries (`tiers.selectors.customer_revenue_kept`),
one review aggregate and one query for the partners' names — the same few queries for any number of partners.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Sum
from django.utils.translation import gettext_lazy as _

from directory.metrics import review_window
from directory.models import AwardSettings, Review, ReviewStatus
from portal.models import Partner, PartnerKind
from tiers.selectors import customer_revenue_kept, latest_snapshot_month, monthly_snapshots

VIEW_AWARD_SETTINGS = "directory.view_awardsettings"
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if not whole or part is None:
        return None
    return _round(part * HUNDRED / whole)


def year_param(raw: str | None, *, today: dt.date) -> int:
    """The year a page asks for: last year by default, kept between 2000 and this year."""
    try:
        year = int(raw) if raw else today.year - 1
    except ValueError:
        year = today.year - 1
    return min(max(year, 2000), today.year)


def year_window(year: int) -> dict:
    """The months a year's figures compare and the review window (the 12 months to the closing month).

    The closing month is December, or the last evaluated month while the year is still running.
    """
    closing = dt.date(year, 12, 1)
    latest = latest_snapshot_month()
    if latest is not None and dt.date(year, 1, 1) <= latest < closing:
        closing = latest
    reviews_from, reviews_to = review_window(closing)
    return {"start": dt.date(year, 1, 1), "end": closing, "reviews_from": reviews_from, "reviews_to": reviews_to}


@dataclass
class Standing:
    partner: Partner
    mrr_start: Decimal | None  # USD, January snapshot
    mrr_end: Decimal | None  # USD, closing month's snapshot (December)
    revenue_retention: Decimal | None  # %
    customer_mrr_start: Decimal | None  # USD, January, customers of January
    customer_mrr_end: Decimal | None  # USD, closing month, the same customers
    customer_revenue_retention: Decimal | None  # %
    rating: Decimal | None
    review_count: int
    misses: list[str] = field(default_factory=list)
    rank: int | None = None

    @property
    def eligible(self) -> bool:
        return not self.misses

    @property
    def miss_labels(self) -> list[str]:
        return [str(MISS_LABELS[code]) for code in self.misses]


def _snapshot_mrr(month: dt.date) -> dict[int, Decimal]:
    rows = monthly_snapshots(start=month, end=month).annotate(usd=F("sold_mrr_usd") + F("managed_mrr_usd"))
    return dict(rows.values_list("partner_id", "usd"))


def _review_figures(window: dict) -> dict[int, tuple[Decimal, int]]:
    rows = (
        Review.objects.filter(
            status=ReviewStatus.PUBLISHED,
            submitted_at__gte=window["reviews_from"],
            submitted_at__lt=window["reviews_to"],
        )
        .values("partner_id")
        .annotate(count=Count("pk"), total=Sum("rating"))
        .values_list("partner_id", "total", "count")
    )
    # The average from the exact sum (not the database's float AVG), rounded half-up.
    return {pid: (_round(Decimal(total) / count), count) for pid, total, count in rows}


# Each threshold's code (what `Standing.misses` holds) and how people read it.
MISS_LABELS = {
    "revenue_retention": _("revenue retention"),
    "customer_revenue_retention": _("customer revenue retention"),
    "review_rating": _("review rating"),
    "review_count": _("published reviews"),
    "mrr": _("MRR"),
}


def _misses(s: Standing, t: AwardSettings) -> list[str]:
    checks = [
        (s.revenue_retention, t.min_revenue_retention, "revenue_retention"),
        (s.customer_revenue_retention, t.min_customer_revenue_retention, "customer_revenue_retention"),
        (s.rating, t.min_review_rating, "review_rating"),
        (s.review_count, t.min_review_count, "review_count"),
        (s.mrr_end, t.min_mrr_usd, "mrr"),
    ]
    return [code for value, minimum, code in checks if value is None or value < minimum]


def standings(*, year: int, thresholds: AwardSettings, window: dict | None = None) -> list[Standing]:
    """Every solutions partner with MRR in January or the closing month of `year`, with its figures and misses."""
    window = window or year_window(year)
    start, end = _snapshot_mrr(window["start"]), _snapshot_mrr(window["end"])
    kept = customer_revenue_kept(start=window["start"], end=window["end"])
    reviews = _review_figures(window)
    partners = Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER, pk__in=set(start) | set(end)).only(
        "partner_id", "name", "region", "tier"
    )
    result = []
    for partner in partners:
        customer_start, customer_end = kept.get(partner.pk, (None, None))
        rating, count = reviews.get(partner.pk, (None, 0))
        standing = Standing(
            partner=partner,
            mrr_start=start.get(partner.pk),
            mrr_end=end.get(partner.pk),
            revenue_retention=_percent(end.get(partner.pk, Decimal(0)), start.get(partner.pk)),
            customer_mrr_start=customer_start,
            customer_mrr_end=customer_end,
            customer_revenue_retention=_percent(customer_end, customer_start),
            rating=rating,
            review_count=count,
        )
        standing.misses = _misses(standing, thresholds)
        result.append(standing)
    return result


def _order(s: Standing) -> tuple:
    # Eligible first; then December MRR, review rating and number of reviews, highest first.
    zero = Decimal(0)
    return (not s.eligible, -(s.mrr_end or zero), -(s.rating or zero), -s.review_count, s.partner.partner_id)


def ranking(*, year: int, thresholds: AwardSettings, window: dict | None = None) -> list[Standing]:
    """The standings in award order; eligible partners carry their rank (1 = Global Partner of the Year)."""
    ordered = sorted(standings(year=year, thresholds=thresholds, window=window), key=_order)
    for rank, standing in enumerate((s for s in ordered if s.eligible), start=1):
        standing.rank = rank
    return ordered
