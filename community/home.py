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
    items = []
    cycle = selectors.pug_cycle_open(today=today)
    if cycle is not None:
        items.append(
            window_open_attention(
                window=cycle,
                key="pug-window",
                order=30,
                text=_("Partner User Group applications (%(name)s) are open until %(date)s."),
                url=reverse("community:index") + "#pug",
                link_text=_("See the groups"),
            )
        )
    cohort = selectors.deib_cohort_open(today=today)
    if cohort is not None:
        items.append(
            window_open_attention(
                window=cohort,
                key="deib-window",
                order=31,
                text=_("DEI&B sponsorship applications (%(name)s) are open until %(date)s."),
                url=reverse("community:deib"),
                link_text=_("About DEI&B sponsorship"),
            )
        )
    return items
