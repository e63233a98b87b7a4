"""The registrations panel beside a partner's tier (portal.panels): cap use, commission hold, compliance dates."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from portal.models import Partner, User
from portal.panels import PartnerPanel, partner_panel_provider
from registrations import selectors
from registrations.models import RegistrationConfig


@partner_panel_provider
def registrations_panel(*, partner: Partner, user: User, today: dt.date) -> list[PartnerPanel]:
    """Live registrations against the tier's cap, the open commission hold and the dates that matter.

    The partner is already scoped to the user (own organisation, CAM's book or staff): the
    partner's people see on their dashboard what their CAM sees. Three queries.
    """
    config = RegistrationConfig.get()
    facts = selectors.partner_panel_facts(partner=partner, on=today, config=config)
    cap = None if today < config.caps_effective_from else config.cap_for(partner)
    used = facts["live"]
    hold = facts["hold"]
    data = {
        "cap": cap,
        "used": used,
        "percent": min(100, round(100 * used / cap)) if cap else 0,
        "at_cap": cap is not None and used >= cap,
        "over_cap": cap is not None and used > cap,
        "hold": hold,
        "hold_days": (today - hold.started_on).days if hold else None,
        "compliance_deadline": config.compliance_deadline,
        # The compliance job runs daily once the deadline has passed (registrations.jobs).
        "next_check": max(config.compliance_deadline, today + dt.timedelta(days=1)),
        "expiring": facts["expiring"],
        "next_expiry": facts["next_expiry"],
        "reminder_days": config.reminder_days,
        "own": user.is_partner_user and user.partner_id == partner.pk,
    }
    return [PartnerPanel(key="registrations", title=_("Registrations and compliance"), template=_TEMPLATE, data=data)]


_TEMPLATE = "registrations/_partner_panel.html"
