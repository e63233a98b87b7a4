"""Panels beside a partner's tier on its dashboard, contributed by the feature apps.

`tiers` draws the dashboard but knows nothing of registrations (STYLE.md: a feature app
reads another only through its selectors, and `tiers` reads none): each app registers a
provider from its own module when Django starts (`AppConfig.ready`), as for `portal.home`.
A provider takes the already scoped partner (the partner's own, or one in the CAM's book)
and returns zero or more `PartnerPanel`s, rendered from the app's own partial template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from portal.models import Partner, User


@dataclass(frozen=True)
class PartnerPanel:
    key: str  # stable name, for tests and anchors ("registrations", …)
    title: str
    template: str  # the contributing app's partial, rendered with `panel` in its context
    data: dict = field(default_factory=dict)
    order: int = 50


PanelProvider = Callable[..., list[PartnerPanel]]
_PANELS: list[PanelProvider] = []


def partner_panel_provider(func: PanelProvider) -> PanelProvider:
    """Register `func(*, partner, user, today) -> list[PartnerPanel]` for the partner dashboard.

    `partner` is already scoped to `user` (own organisation, CAM's book, staff); a provider
    returns only what that user may see of it.
    """
    if func not in _PANELS:
        _PANELS.append(func)
    return func


def partner_panels(*, partner: Partner, user: User, today: dt.date) -> list[PartnerPanel]:
    panels = (panel for provider in _PANELS for panel in provider(partner=partner, user=user, today=today))
    return sorted(panels, key=lambda p: (p.order, p.key))
