"""What the partner home says about community programmes: application windows open now."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from community import selectors
from portal.home import Attention, partner_attention_provider, window_open_attention
from portal.models import Partner, User


@partner_attention_provider
def partner_community(*, partner: Partner, user: User, today: dt.date) -> list[Attention]:
    """An item for each programme (PUG, DEI&B) whose application window is open today."""
    windows = (
        (
            selectors.pug_cycle_open(today=today),
            "pug-window",
            _("Partner User Group applications (%(name)s) are open until %(date)s."),
            reverse("community:index") + "#pug",
            _("See the groups"),
        ),
        (
            selectors.deib_cohort_open(today=today),
            "deib-window",
            _("DEI&B sponsorship applications (%(name)s) are open until %(date)s."),
            reverse("community:deib"),
            _("About DEI&B sponsorship"),
        ),
    )
    return [
        window_open_attention(window=window, key=key, order=order, text=text, url=url, link_text=link_text)
        for order, (window, key, text, url, link_text) in enumerate(windows, start=30)
        if window is not None
    ]
