"""The directory's Phase 2 metric: a partner's client review rating (`tiers.metric_sources`).

The rating of a month is the average of the partner's *published* reviews submitted in the
12 calendar months ending with that month (UTC), rounded half-up to two places; a partner
without such a review has none (the engine reads 0). Global Partner of the Year reads the
same window (`review_window`) for its year's December.
"""

from __future__ import annotations

import datetime as dt

from directory.models import Review, ReviewStatus
from portal.months import add_months, month_start
from tiers.metric_sources import metric_source
from tiers.models import Metric

REVIEW_MONTHS = 12


def review_window(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, instant after) of the 12 months ending with `month`, in UTC."""
    first = add_months(month_start(month), -(REVIEW_MONTHS - 1))
    after = add_months(month_start(month), 1)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC),
        dt.datetime.combine(after, dt.time.min, tzinfo=dt.UTC),
    )


@metric_source(Metric.REVIEW_RATING)
def review_rating(month: dt.date) -> tuple[str, list[object]]:
    start, end = review_window(month)
    sql = (
        "SELECT partner_id, ROUND(AVG(rating)::numeric, 2)::numeric(4,2) AS value "
        f"FROM {Review._meta.db_table} "
        "WHERE status = %s AND submitted_at >= %s AND submitted_at < %s GROUP BY partner_id"
    )
    return sql, [str(ReviewStatus.PUBLISHED), start, end]
