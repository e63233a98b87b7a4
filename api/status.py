"""A partner's status as one JSON-ready dict (the `partner_status` command; later the API).

Each feature app contributes its part through its selectors; this module only
merges them, so adding keys (registrations: `registration_cap`,
`live_registrations`, `commission_hold`) is one more `|` below.
"""

from __future__ import annotations

import datetime as dt

from portal.models import Partner
from registrations.selectors import registration_summary
from tiers.selectors import partner_tier_status


def partner_status(partner: Partner, on: dt.date | None = None) -> dict:
    identity = {"partner_id": partner.partner_id, "name": partner.name, "kind": partner.kind}
    return identity | partner_tier_status(partner=partner, on=on) | registration_summary(partner=partner, on=on)
