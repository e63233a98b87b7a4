"""Community's scheduled job, registered with the portal's job registry (portal/jobs.py).

HUG inactivity check: each calendar quarter, due on the 1st after it at 04:30 UTC.
Missed quarters since the last done one are caught up; on a fresh ledger only the latest.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models import DeibApplication, DeibStatus, HugLeaderApplication, LeadStatus, PugApplication, PugStatus
from community.services import hug_flag_inactive_leaders, previous_quarter, quarter_bounds
from portal import jobs
from portal.models import JobOutcome, JobRun
from portal.notifications import REVIEWERS_AUDIENCE, WaitingSource, register_waiting

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

# What waits for the Reviewers: the immediate emails and the daily digest (portal/notifications.py).
for key, model, status, label, describe, order in (
    ("pug-applications", PugApplication, PugStatus.SUBMITTED, _("PUG applications"), lambda row: row.group.name, 30),
    (
        "hug-leader-applications",
        HugLeaderApplication,
        LeadStatus.SUBMITTED,
        _("HUG leader applications"),
        lambda row: row.group.name,
        40,
    ),
    (
        "deib-applications",
        DeibApplication,
        DeibStatus.SUBMITTED,
        _("DEI&B applications"),
        lambda row: row.cohort.label,
        50,
    ),
):
    register_waiting(
        WaitingSource(
            key=key,
            label=label,
            audience=REVIEWERS_AUDIENCE,
            queryset=lambda model=model, status=status: model.objects.filter(status=status).select_related(
                "group" if model is not DeibApplication else "cohort"
            ),
            since="created_at",
            describe=describe,
            path=lambda row: reverse("community:review"),
            order=order,
        )
    )
