"""What the home pages say needs attention now, contributed by the feature apps.

`portal` imports no feature app (STYLE.md: imports point inward), so each app
registers its own providers from `<app>/home.py` when Django starts
(`AppConfig.ready`). A provider takes the already scoped partner (or the CAM)
and returns zero or more `Attention` items; each links to the page that acts on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from portal.models import Partner, User


@dataclass(frozen=True)
class Attention:
    key: str  # stable name, for tests and CSS hooks ("expiring", "tier-outlook", …)
    text: str
    url: str
    link_text: str
    level: str = "info"  # "warn" (act soon), "info", "ok"
    order: int = 50  # lower first


PartnerProvider = Callable[..., list[Attention]]
CamProvider = Callable[..., list[Attention]]

_PARTNER: list[PartnerProvider] = []
_CAM: list[CamProvider] = []


def partner_attention_provider(func: PartnerProvider) -> PartnerProvider:
    """Register `func(*, partner, user, today) -> list[Attention]` for the partner home."""
    if func not in _PARTNER:
        _PARTNER.append(func)
    return func


def cam_attention_provider(func: CamProvider) -> CamProvider:
    """Register `func(*, user, today) -> list[Attention]` for the CAM home."""
    if func not in _CAM:
        _CAM.append(func)
    return func


_LEVEL_ORDER = {"warn": 0, "info": 1, "ok": 2}


def _sorted(items: list[Attention]) -> list[Attention]:
    return sorted(items, key=lambda a: (_LEVEL_ORDER.get(a.level, 1), a.order, a.key))


def partner_attention(*, partner: Partner, user: User, today: dt.date) -> list[Attention]:
    """Everything that needs the partner's attention today, most urgent first."""
    return _sorted([item for provider in _PARTNER for item in provider(partner=partner, user=user, today=today)])


def cam_attention(*, user: User, today: dt.date) -> list[Attention]:
    return _sorted([item for provider in _CAM for item in provider(user=user, today=today)])
