"""Rule-set what-if for programme staff (SPEC §3.6).

Judges one month twice with the engine's own `compute_month` (no second
engine here): under a draft rule set and under the published one in force.
Compares the tier distribution with the programme's targets, lists who would
move, and suggests thresholds from the target percentiles.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from portal.models import Partner, Tier
from tiers import engine
from tiers.models import Framework, Metric, ProgrammeTargets, RuleSet


def programme_targets() -> dict[str, Decimal]:
    """Share of *tiered* partners at or above each tier the programme aims for (staff edit it in admin)."""
    return ProgrammeTargets.current().by_tier()


class _Targets(Mapping):
    """The edited targets, read when used (never at import): for callers that imported the old constant."""

    def __getitem__(self, tier: str) -> Decimal:
        return programme_targets()[tier]

    def __iter__(self) -> Iterator[str]:
        return iter(programme_targets())

    def __len__(self) -> int:
        return len(programme_targets())


TARGETS: Mapping[str, Decimal] = _Targets()
MOVES_SHOWN = 25


@dataclass(frozen=True)
class TierShare:
    tier: str
    draft: int
    current: int
    draft_percent: Decimal  # share of tiered partners at or above this tier
    current_percent: Decimal
    target: Decimal | None

    @property
    def label(self) -> str:
        return Tier(self.tier).label

    @property
    def on_target(self) -> bool | None:
        return None if self.target is None else self.draft_percent <= self.target


@dataclass(frozen=True)
class Move:
    partner: Partner
    from_tier: str
    to_tier: str
    points: Decimal


@dataclass(frozen=True)
class Suggestion:
    tier: str
    draft_threshold: Decimal | None
    suggested: Decimal
    target: Decimal


@dataclass(frozen=True)
class WhatIf:
    rule_set: RuleSet
    baseline: RuleSet | None
    month: dt.date
    partner_count: int
    tiered_draft: int
    tiered_current: int
    shares: list[TierShare]
    ups: list[Move]
    downs: list[Move]
    up_count: int
    down_count: int
    suggestions: list[Suggestion]
    error: str = ""


def what_if(*, rule_set: RuleSet, month: dt.date) -> WhatIf:
    """1. Judge the month under the draft and under the rules in force.
    2. Count partners per tier (cumulative share of tiered partners) against the targets.
    3. List the partners whose tier differs; suggest thresholds at the target percentiles.
    """
    baseline = engine.rule_set_in_force(month)
    draft_rows = engine.compute_month(month=month, rule_set=rule_set)
    current_rows = engine.compute_month(month=month, rule_set=baseline) if baseline else []
    current_tier = {row.partner_id: row.achieved_tier for row in current_rows}
    draft_tier = {row.partner_id: row.achieved_tier for row in draft_rows}
    points = {row.partner_id: row.points for row in draft_rows}
    targets = programme_targets()
    ups, downs = [], []
    for pk, tier in draft_tier.items():
        before = current_tier.get(pk, Tier.SOLUTIONS_PARTNER)
        if tier != before:
            (ups if Tier.rank(tier) > Tier.rank(before) else downs).append((pk, before, tier))
    return WhatIf(
        rule_set=rule_set,
        baseline=baseline,
        month=month,
        partner_count=len(draft_rows),
        tiered_draft=_tiered(draft_tier.values()),
        tiered_current=_tiered(current_tier.values()),
        shares=_shares(list(draft_tier.values()), list(current_tier.values()), targets),
        ups=_moves(ups, points),
        downs=_moves(downs, points),
        up_count=len(ups),
        down_count=len(downs),
        suggestions=_suggestions(draft_rows, rule_set, targets),
    )


def _tiered(tiers) -> int:
    return sum(1 for t in tiers if t != Tier.SOLUTIONS_PARTNER)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def _shares(draft: list[str], current: list[str], targets: dict[str, Decimal]) -> list[TierShare]:
    """Per tier: how many partners, and the cumulative share of tiered partners at or above it."""
    tiered_draft, tiered_current = _tiered(draft), _tiered(current)
    shares = []
    for tier in reversed(Tier.values):
        rank = Tier.rank(tier)
        at_or_above_draft = sum(1 for t in draft if Tier.rank(t) >= rank)
        at_or_above_current = sum(1 for t in current if Tier.rank(t) >= rank)
        shares.append(
            TierShare(
                tier=tier,
                draft=draft.count(tier),
                current=current.count(tier),
                draft_percent=_percent(at_or_above_draft, tiered_draft)
                if tier != Tier.SOLUTIONS_PARTNER
                else Decimal(0),
                current_percent=_percent(at_or_above_current, tiered_current)
                if tier != Tier.SOLUTIONS_PARTNER
                else Decimal(0),
                target=targets.get(tier),
            )
        )
    return shares


def _moves(moves: list[tuple[int, str, str]], points: dict[int, Decimal]) -> list[Move]:
    """The first MOVES_SHOWN moves by points, with their partners (one query)."""
    moves = sorted(moves, key=lambda m: -points.get(m[0], Decimal(0)))[:MOVES_SHOWN]
    partners = Partner.objects.in_bulk([pk for pk, _b, _a in moves])
    return [
        Move(partners[pk], before, after, points.get(pk, Decimal(0))) for pk, before, after in moves if pk in partners
    ]


def _suggestions(rows: list[engine.MonthRow], rule_set: RuleSet, targets: dict[str, Decimal]) -> list[Suggestion]:
    """Points thresholds that would put exactly the target share of tiered partners at or above each tier.

    Tiered partners are those the draft puts at Gold or above; the threshold is
    the points of the last partner inside the target percentile.
    """
    if rule_set.framework != Framework.POINTS:
        return []
    tiered = sorted((r.points for r in rows if r.achieved_tier != Tier.SOLUTIONS_PARTNER), reverse=True)
    if not tiered:
        return []
    current = dict(rule_set.requirements.filter(metric=Metric.POINTS).values_list("tier", "threshold"))
    suggestions = []
    for tier, target in targets.items():
        keep = max(1, math.floor(len(tiered) * target / 100))
        suggestions.append(Suggestion(tier, current.get(tier), tiered[keep - 1].quantize(Decimal(1)), target))
    return suggestions
