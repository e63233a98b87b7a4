"""What the directory has waiting for a decision (portal/notifications.py): client reviews to moderate."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from directory.models import Review, ReviewStatus
from portal.notifications import REVIEWERS_AUDIENCE, WaitingSource, register_waiting

register_waiting(
    WaitingSource(
        key="client-reviews",
        label=_("Client reviews"),
        audience=REVIEWERS_AUDIENCE,
        queryset=lambda: Review.objects.filter(status=ReviewStatus.PENDING).select_related("partner"),
        since="submitted_at",
        describe=lambda row: row.title,
        path=lambda row: reverse("directory:moderation"),
        order=70,
    )
)
