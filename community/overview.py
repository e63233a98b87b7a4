"""Community programmes' part of the staff home: applications waiting for a reviewer."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.models import DeibApplication, DeibStatus, HugLeaderApplication, LeadStatus, PugApplication, PugStatus
from portal.access import has_perm
from portal.home import WaitingDecisions, decisions_waiting_provider, waiting_by_age
from portal.models import User

WAITING = (
    ("pug-applications", PugApplication, PugStatus.SUBMITTED, _("PUG applications"), 30),
    ("hug-leader-applications", HugLeaderApplication, LeadStatus.SUBMITTED, _("HUG leader applications"), 40),
    ("deib-applications", DeibApplication, DeibStatus.SUBMITTED, _("DEI&B applications"), 50),
)


@decisions_waiting_provider
def community_decisions(*, user: User, now: dt.datetime) -> list[WaitingDecisions]:
    rows = []
    for key, model, status, label, order in WAITING:
        if not has_perm(user, f"community.view_{model._meta.model_name}"):
            continue
        url = reverse(f"admin:community_{model._meta.model_name}_changelist")
        rows.append(
            WaitingDecisions(
                key=key,
                label=str(label),
                url=f"{url}?{urlencode({'status__exact': status})}",
                order=order,
                **waiting_by_age(model.objects.filter(status=status), since="created_at", now=now),
            )
        )
    return rows
