"""What publishing a draft rule set would change for partners, asked before staff confirm.

The figures are the what-if's (`tiers.whatif.what_if`) on the last closed month:
how many partners each tier holds under the rules in force and under the draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Tier
from portal.months import last_closed_month
from tiers.engine import MissingCoefficient
from tiers.models import RuleSet
from tiers.whatif import what_if


@dataclass(frozen=True)
class TierMove:
    tier: str
    now: int
    after: int

    @property
    def label(self) -> str:
        return Tier(self.tier).label

    @property
    def change(self) -> int:
        return self.after - self.now


@dataclass(frozen=True)
class PublishPreview:
    month: dt.date
    tiers: list[TierMove]  # highest tier first, as the what-if shows them
    up_count: int = 0
    down_count: int = 0
    error: str = ""

    @property
    def moving(self) -> int:
        return self.up_count + self.down_count


def publish_preview(*, rule_set: RuleSet, today: dt.date | None = None) -> PublishPreview:
    """Counts per tier now and under `rule_set`, and how many partners move up or down."""
    month = last_closed_month(today or timezone.localdate())
    try:
        result = what_if(rule_set=rule_set, month=month)
    except MissingCoefficient as exc:
        return PublishPreview(
            month=month,
            tiers=[],
            error=_("The what-if cannot run: this rule set has no coefficient for %(currencies)s.")
            % {"currencies": ", ".join(exc.currencies)},
        )
    return PublishPreview(
        month=month,
        tiers=[TierMove(share.tier, share.current, share.draft) for share in result.shares],
        up_count=result.up_count,
        down_count=result.down_count,
    )
