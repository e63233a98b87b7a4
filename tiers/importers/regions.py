"""The programme region of a partner's HQ country (the country groups live in `portal.regions`)."""

from __future__ import annotations

from portal import regions
from portal.models import Region

_LATIN_AMERICA = frozenset(regions.LATIN_AMERICA)
_NORTH_AMERICA = frozenset(regions.NORTH_AMERICA)
_APAC = frozenset(regions.APAC)


def region_for_country(code: str) -> str:
    """The PAC region of an HQ country (Japan has its own region)."""
    if code == "JP":
        return Region.JAPAN
    if code in _NORTH_AMERICA:
        return Region.NORTH_AMERICA
    if code in _LATIN_AMERICA:
        return Region.LATIN_AMERICA
    if code in _APAC:
        return Region.APAC
    return Region.EMEA
