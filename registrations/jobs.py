"""Daily registration jobs, registered with the portal's job registry (portal/jobs.py).

Each acts on everything due on or before its day, so only the latest due day needs running.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import jobs
from portal.formats import domain_unicode
from portal.notifications import CAMS, WaitingSource, register_waiting
from registrations import services
from registrations.models import Deal, DealStatus, DomainRegistration, RegistrationStatus

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

# What waits for the partner's CAM: the immediate emails and the daily digest (portal/notifications.py).
register_waiting(
    WaitingSource(
        key="domain-registrations",
        label=_("Domain registrations"),
        audience=CAMS,
        queryset=lambda: DomainRegistration.objects.filter(status=RegistrationStatus.PENDING),
        since="submitted_at",
        describe=lambda row: domain_unicode(row.domain),
        path=lambda row: reverse("registrations:queue"),
        order=10,
    )
)
register_waiting(
    WaitingSource(
        key="deals",
        label=_("Deal registrations"),
        audience=CAMS,
        queryset=lambda: Deal.objects.filter(status=DealStatus.PENDING),
        since="submitted_at",
        describe=lambda row: row.company_name,
        path=lambda row: reverse("registrations:deal", args=[row.pk]),
        order=20,
    )
)
