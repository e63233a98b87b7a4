"""The tier engine's scheduled jobs, registered with the portal's job registry (portal/jobs.py).

- monthly_evaluation: the month just ended, due the 1st at 03:00 UTC; waits until the
  month's MRR is marked complete; sequential (a later month waits for an earlier one).
- reassessment: 15 January / 15 July (engine.reassessment_dates) at 03:00 UTC; waits
  until the six months before are evaluated.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import jobs
from portal.models import JobOutcome, JobRun
from portal.months import add_months, month_start
from tiers import engine, services
from tiers.models import CustomerMRR, MonthCompleteness, RuleSet, RuleSetStatus

DUE_HOUR = 3


def first_month() -> dt.date | None:
    """The first month the monthly evaluation covers: the first with data, not before the first rule set."""
    data = [
        CustomerMRR.objects.aggregate(first=Min("month"))["first"],
        MonthCompleteness.objects.aggregate(first=Min("month"))["first"],
    ]
    data = [d for d in data if d is not None]
    rules = RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).aggregate(first=Min("effective_from"))["first"]
    if not data or rules is None:
        return None
    return max(month_start(min(data)), month_start(rules))


def monthly_periods(now: dt.datetime) -> list[jobs.Period]:
    first = first_month()
    if first is None:
        return []
    periods, month = [], first
    while jobs.at(add_months(month, 1), DUE_HOUR) <= now:
        periods.append(jobs.Period(key=f"{month:%Y-%m}", due=jobs.at(add_months(month, 1), DUE_HOUR), value=month))
        month = add_months(month, 1)
    return periods


def reassessment_periods(now: dt.datetime) -> list[jobs.Period]:
    first = first_month()
    if first is None:
        return []
    last_done = JobRun.objects.filter(job=services.JOB_REASSESSMENT, outcome=JobOutcome.DONE).aggregate(
        last=Max("period")
    )["last"]
    return [
        jobs.Period(key=day.isoformat(), due=jobs.at(day, DUE_HOUR), value=day)
        for year in range(first.year, now.year + 1)
        for day in engine.reassessment_dates(year)
        if jobs.at(day, DUE_HOUR) <= now
        and engine.reassessment_months(day)[0] >= first
        and (last_done is None or day.isoformat() > last_done)
    ]


def reassessment_wait_reason(period: jobs.Period) -> str | None:
    missing = services.reassessment_missing_months(period.value)
    return f"months not evaluated yet: {', '.join(missing)}" if missing else None


jobs.register(
    jobs.Job(
        name=services.JOB_MONTHLY,
        label=_("Monthly evaluation"),
        periods=monthly_periods,
        run=lambda period, run: services._month_evaluate(period.value, run),
        wait_reason=lambda period: services.month_wait_reason(month=period.value, now=timezone.now()),
        sequential=True,
    )
)
jobs.register(
    jobs.Job(
        name=services.JOB_REASSESSMENT,
        label=_("Semiannual reassessment"),
        periods=reassessment_periods,
        run=lambda period, run: services._reassess(period.value, run, ""),
        wait_reason=reassessment_wait_reason,
        sequential=True,
    )
)
