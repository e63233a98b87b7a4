"""Enablement's scheduled job, registered with the portal's job registry (portal/jobs.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enablement.models import AccreditationApplication, ApplicationStatus
from enablement.services import accreditations_reevaluate_due
from portal import jobs
from portal.notifications import REVIEWERS_AUDIENCE, WaitingSource, register_waiting

# Daily at 05:00 UTC; it re-evaluates every holding due on or before the day.
jobs.register(
    jobs.Job(
        name="accreditation_reevaluation",
        label=_("Accreditation re-evaluation"),
        periods=lambda now: jobs.daily_period(now, hour=5),
        run=lambda period, run: accreditations_reevaluate_due(today=period.value),
    )
)

# What waits for the Reviewers: the immediate emails and the daily digest (portal/notifications.py).
register_waiting(
    WaitingSource(
        key="accreditation-applications",
        label=_("Accreditation applications"),
        audience=REVIEWERS_AUDIENCE,
        queryset=lambda: AccreditationApplication.objects.filter(status=ApplicationStatus.SUBMITTED).select_related(
            "accreditation"
        ),
        since="created_at",
        describe=lambda row: row.accreditation.name,
        path=lambda row: reverse("admin:enablement_accreditationapplication_change", args=[row.pk]),
        order=60,
    )
)
