"""The directory's part of the staff home: client reviews waiting for moderation."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from directory.models import Review, ReviewStatus
from directory.review_services import MODERATE_REVIEWS
from portal.access import has_perm
from portal.home import WaitingDecisions, decisions_waiting_provider, waiting_by_age
from portal.models import User


@decisions_waiting_provider
def review_decisions(*, user: User, now: dt.datetime) -> list[WaitingDecisions]:
    if not has_perm(user, MODERATE_REVIEWS):
        return []
    return [
        WaitingDecisions(
            key="client-reviews",
            label=_("Client reviews"),
            url=reverse("directory:moderation"),
            order=70,
            **waiting_by_age(Review.objects.filter(status=ReviewStatus.PENDING), since="submitted_at", now=now),
        )
    ]
