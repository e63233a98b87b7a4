"""Reads of the tier engine's data that other apps may use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from tiers.models import MonthlySnapshot


def monthly_snapshots(
    *, start: dt.date, end: dt.date, partner_ids: Iterable[int] | None = None
) -> QuerySet[MonthlySnapshot]:
    """Snapshots for months in [start, end] (first days of months), oldest first.

    `sold_mrr_usd` / `managed_mrr_usd` are the month's MRR in USD at the rule
    set's fixed rates, without the emerging-market multiplier.
    """
    snapshots = MonthlySnapshot.objects.filter(month__gte=start, month__lte=end)
    if partner_ids is not None:
        snapshots = snapshots.filter(partner_id__in=list(partner_ids))
    return snapshots.order_by("partner_id", "month")
