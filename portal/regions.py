"""Country groups shared by the region of a partner's HQ and the emerging-market seed.

Plain data with no Django imports, so that migration `tiers/0003_emerging_markets`
may import it: the Latin American countries are listed here once, for the importer's
region of a partner and for the emerging markets seeded by that migration. Changing
LATIN_AMERICA changes what that migration seeds on a fresh database — add a new data
migration for an existing one.
"""

from __future__ import annotations

# All Latin American countries: the 20 sovereign states and Puerto Rico.
LATIN_AMERICA = (
    "AR",
    "BO",
    "BR",
    "CL",
    "CO",
    "CR",
    "CU",
    "DO",
    "EC",
    "SV",
    "GT",
    "HT",
    "HN",
    "MX",
    "NI",
    "PA",
    "PY",
    "PE",
    "PR",
    "UY",
    "VE",
)
NORTH_AMERICA = ("US", "CA", "BM", "GL", "PM")
APAC = tuple(
    """
    AU NZ SG IN MY PH KR CN HK TW TH VN ID MN BD BN KH LA MV MM NP PK LK TL MO FJ PG WS TO VU SB KI NR TV
    FM MH PW NC PF CK NU AS GU MP BT AF
    """.split()  # noqa: SIM905
)
