"""What the partner home says about enablement: an accreditation window open to the partner's tier."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from enablement import selectors
from portal.home import Attention, partner_attention_provider, window_open_attention
from portal.models import Partner, User


@partner_attention_provider
def partner_accreditation_window(*, partner: Partner, user: User, today: dt.date) -> list[Attention]:
    window = selectors.application_window_open(today=today)
    if window is None or not selectors.accreditation_eligible_ids(partner=partner, on=today):
        return []
    return [
        window_open_attention(
            window=window,
            key="accreditation-window",
            order=32,
            text=_("Accreditation applications (%(name)s) are open to your tier until %(date)s."),
            url=reverse("enablement:index"),
            link_text=_("See accreditations"),
        )
    ]
