"""The one month arithmetic of the portal.

Calendar months are `datetime.date`s on the 1st ("2022-07" is `date(2022, 7, 1)`);
`add_months` moves any date by whole calendar months and clamps to the month's
last day (31 August + 6 months is 28/29 February), as `dateutil.relativedelta` does;
a month start stays a month start.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(day: dt.date, count: int) -> dt.date:
    return day + relativedelta(months=count)


def months_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every month start from `first`'s month to `last`'s month, both included."""
    month, last = month_start(first), month_start(last)
    while month <= last:
        yield month
        month = add_months(month, 1)


def last_closed_month(today: dt.date) -> dt.date:
    """The month before `today`'s month: the latest whose MRR can be complete."""
    return add_months(month_start(today), -1)


def parse_month(text: str) -> dt.date:
    """'YYYY-MM' → first day of that month; ValueError otherwise."""
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        raise ValueError(f"month must be YYYY-MM, got {text!r}")
    return dt.date(int(text[:4]), int(text[5:]), 1)
