"""Enablement's scheduled job, registered with the portal's job registry (portal/jobs.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from enablement.services import accreditations_reevaluate_due
from portal import jobs

# Daily at 05:00 UTC; it re-evaluates every holding due on or before the day.
jobs.register(
    jobs.Job(
        name="accreditation_reevaluation",
        label=_("Accreditation re-evaluation"),
        periods=lambda now: jobs.daily_period(now, hour=5),
        run=lambda period, run: accreditations_reevaluate_due(today=period.value),
    )
)
