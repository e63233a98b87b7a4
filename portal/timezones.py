"""Which time zone a person reads times in: their own choice, else their partner's country, else UTC."""

from __future__ import annotations

import functools
import zoneinfo

from babel.core import get_global
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_ZONE = "UTC"

# Countries spanning several zones: the zone most of their business runs in (CLDR lists
# them alphabetically, which would put the United States on Adak time).
_PRIMARY = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City",
    "RU": "Europe/Moscow",
    "ID": "Asia/Jakarta",
    "CN": "Asia/Shanghai",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "NZ": "Pacific/Auckland",
    "KZ": "Asia/Almaty",
    "MN": "Asia/Ulaanbaatar",
    "MY": "Asia/Kuala_Lumpur",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "CD": "Africa/Kinshasa",
    "UA": "Europe/Kyiv",
}


@functools.lru_cache(maxsize=512)
def zone_for_country(country: str) -> str:
    """The default time zone of an ISO country code (`JP` → `Asia/Tokyo`); UTC when unknown."""
    code = (country or "").upper()
    if code in _PRIMARY:
        return _PRIMARY[code]
    zones = get_global("territory_zones").get(code) or []
    for name in zones:
        if is_valid_zone(name):
            return name
    return DEFAULT_ZONE


def validate_time_zone(value: str) -> None:
    """Model validator: an IANA zone name the server knows."""
    if value and not is_valid_zone(value):
        raise ValidationError(_("%(zone)s is not a time zone name such as Asia/Tokyo.") % {"zone": value})


@functools.lru_cache(maxsize=512)
def is_valid_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_for_user(user: object) -> str:
    """The user's own choice; else a partner user reads their partner's country's time, CAMs and staff UTC."""
    chosen = getattr(user, "time_zone", "") or ""
    if chosen and is_valid_zone(chosen):
        return chosen
    partner = getattr(user, "partner", None) if getattr(user, "partner_id", None) else None
    if partner is not None:
        return zone_for_country(str(partner.country))
    return DEFAULT_ZONE


SESSION_KEY = "portal_time_zone"


def remember_zone(sender: object, request: object, user: object, **kwargs: object) -> None:
    """On login (`user_logged_in`): keep the reader's zone in the session for the middleware."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = zone_for_user(user)
