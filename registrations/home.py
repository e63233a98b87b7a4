"""What the home pages say about registrations: expiring domains, decisions waiting."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from portal.home import Attention, cam_attention_provider, counted_attention, partner_attention_provider
from portal.models import Partner, User
from registrations import selectors
from registrations.models import RegistrationConfig, RegistrationStatus


@partner_attention_provider
def partner_registrations(*, partner: Partner, user: User, today: dt.date) -> list[Attention]:
    config = RegistrationConfig.get()
    counts = selectors.partner_waiting_counts(partner=partner, on=today, config=config)
    domains = reverse("registrations:capacity")
    return [
        *_over_cap_attention(partner=partner, live=counts["live"], today=today, config=config),
        *counted_attention(
            counts["expiring"],
            key="expiring",
            level="warn",
            order=10,
            text=ngettext_lazy(
                "%(n)d registered domain expires within %(days)d days: extend it or let it go.",
                "%(n)d registered domains expire within %(days)d days: extend them or let them go.",
                "n",
            ),
            params={"days": config.reminder_days},
            url=f"{domains}?status={RegistrationStatus.REGISTERED}",
            link_text=_("Review domains"),
        ),
        *counted_attention(
            counts["pending"],
            key="pending-domains",
            order=20,
            text=ngettext_lazy(
                "%(n)d domain registration waits for your CAM's decision.",
                "%(n)d domain registrations wait for your CAM's decision.",
                "n",
            ),
            url=f"{domains}?status={RegistrationStatus.PENDING}",
            link_text=_("See pending domains"),
        ),
        *counted_attention(
            counts["pending_deals"],
            key="pending-deals",
            order=21,
            text=ngettext_lazy(
                "%(n)d deal registration waits for your CAM's decision.",
                "%(n)d deal registrations wait for your CAM's decision.",
                "n",
            ),
            url=reverse("registrations:deals"),
            link_text=_("See deals"),
        ),
    ]


def _over_cap_attention(*, partner: Partner, live: int, today: dt.date, config: RegistrationConfig) -> list[Attention]:
    """Over the cap: how many over, and the assistant that proposes what to release."""
    cap = selectors.registration_cap(partner=partner, on=today, config=config)
    if cap is None:
        return []
    over = live - cap
    if over <= 0:
        return []
    return counted_attention(
        over,
        key="over-cap",
        level="warn",
        order=5,
        text=ngettext_lazy(
            "%(n)d registration over your cap of %(cap)d: use the cap reduction assistant.",
            "%(n)d registrations over your cap of %(cap)d: use the cap reduction assistant.",
            "n",
        ),
        params={"cap": cap},
        url=reverse("registrations:assistant", args=[partner.partner_id]),
        link_text=_("Open the assistant"),
    )


@cam_attention_provider
def cam_decisions(*, user: User, today: dt.date) -> list[Attention]:
    if not user.is_cam:
        return []
    count, oldest = selectors.cam_decisions_waiting(cam=user)
    url = reverse("registrations:queue")
    if not count:
        return [
            Attention(
                key="decisions",
                level="ok",
                text=_("No registration waits for your decision."),
                url=url,
                link_text=_("Open approvals"),
            )
        ]
    text = ngettext(
        "%(n)d registration waits for your decision; it has waited %(age)s.",
        "%(n)d registrations wait for your decision; the oldest has waited %(age)s.",
        count,
    ) % {"n": count, "age": timesince(oldest, timezone.now(), depth=1)}
    return [Attention(key="decisions", level="warn", text=text, url=url, link_text=_("Open approvals"))]
