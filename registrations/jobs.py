"""Daily registration jobs, registered with the portal's job registry (portal/jobs.py).

Each acts on everything due on or before its day, so only the latest due day needs running.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import jobs
from registrations import services

jobs.register(
    jobs.Job(
        name="registrations_expiry",
        label=_("Registration expiry"),
        periods=lambda now: jobs.daily_period(now, hour=2, minute=15),
        run=lambda period, run: {"expired": services.registrations_expire(on=period.value)},
    )
)
jobs.register(
    jobs.Job(
        name="registrations_compliance",
        label=_("Registration cap compliance"),
        periods=lambda now: jobs.daily_period(now, hour=2, minute=45),
        run=lambda period, run: services.compliance_check(on=period.value),
    )
)
jobs.register(
    jobs.Job(
        name="registrations_expiry_reminders",
        label=_("Expiry reminders"),
        periods=lambda now: jobs.daily_period(now, hour=7),
        run=lambda period, run: {"reminded": services.expiry_reminders_send(on=period.value)},
    )
)
