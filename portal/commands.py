"""What the management commands share: a day given as YYYY-MM-DD, a partner given by its id."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from portal.models import Partner


def day_option(value: str | None, *, option: str = "--on") -> dt.date | None:
    """The day `option` names (None when it was not given); anything but YYYY-MM-DD is a CommandError."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be YYYY-MM-DD, got {value!r}") from None


def partner_option(partner_id: str) -> Partner:
    """The partner with this id; an unknown id is a CommandError."""
    partner = Partner.objects.filter(partner_id=partner_id).first()
    if partner is None:
        raise CommandError(f"unknown partner {partner_id!r}")
    return partner
