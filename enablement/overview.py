"""Enablement's part of the staff home: accreditation applications waiting for a reviewer."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from enablement.models import AccreditationApplication, ApplicationStatus
from portal.access import has_perm
from portal.home import WaitingDecisions, decisions_waiting_provider, waiting_by_age
from portal.models import User


@decisions_waiting_provider
def enablement_decisions(*, user: User, now: dt.datetime) -> list[WaitingDecisions]:
    if not has_perm(user, "enablement.view_accreditationapplication"):
        return []
    submitted = AccreditationApplication.objects.filter(status=ApplicationStatus.SUBMITTED)
    url = reverse("admin:enablement_accreditationapplication_changelist")
    return [
        WaitingDecisions(
            key="accreditation-applications",
            label=_("Accreditation applications"),
            url=f"{url}?{urlencode({'status__exact': ApplicationStatus.SUBMITTED})}",
            order=60,
            **waiting_by_age(submitted, since="created_at", now=now),
        )
    ]
