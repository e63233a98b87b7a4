"""Community's scheduled job, registered with the portal's job registry (portal/jobs.py).

HUG inactivity check: each calendar quarter, due on the 1st after it at 04:30 UTC.
Missed quarters since the last done one are caught up; on a fresh ledger only the latest.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from community.services import hug_flag_inactive_leaders, previous_quarter, quarter_bounds
from portal import jobs
from portal.models import JobOutcome, JobRun

NAME = "hug_inactivity_check"


def _next_quarter(quarter: str) -> str:
    _start, end = quarter_bounds(quarter)
    return f"{end.year}-Q{(end.month - 1) // 3 + 1}"


def quarter_periods(now: dt.datetime) -> list[jobs.Period]:
    latest = previous_quarter(now.astimezone(dt.UTC).date())
    if jobs.at(quarter_bounds(latest)[1], 4, 30) > now:  # the 1st of the quarter, before 04:30
        latest = previous_quarter(quarter_bounds(latest)[0])
    last_done = JobRun.objects.filter(job=NAME, outcome=JobOutcome.DONE).aggregate(last=Max("period"))["last"]
    quarter = _next_quarter(last_done) if last_done else latest
    periods = []
    while quarter <= latest:
        periods.append(jobs.Period(key=quarter, due=jobs.at(quarter_bounds(quarter)[1], 4, 30), value=quarter))
        quarter = _next_quarter(quarter)
    return periods


jobs.register(
    jobs.Job(
        name=NAME,
        label=_("HUG inactivity check"),
        periods=quarter_periods,
        run=lambda period, run: {"flagged": len(hug_flag_inactive_leaders(quarter=period.value))},
    )
)
