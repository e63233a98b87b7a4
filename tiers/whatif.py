"""Rule-set what-if for programme staff (SPEC §3.6).

Judges one month under a draft rule set with the engine's own `compute_month`
(no second engine here) and compares it with the published judgement of that
month: the stored snapshots (computed under the rule set in force only for a
month no run has judged yet).
Compares the tier distribution with the programme's targets, lists who would
move, and suggests thresholds from the target percentiles.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery

from portal.models import Partner, Tier
from tiers import engine
from tiers.models import (
    METRIC_DIMENSION,
    METRIC_UNIT,
    PHASE2_METRICS,
    Dimension,
    Framework,
    Metric,
    MonthlySnapshot,
    ProgrammeTargets,
    RuleSet,
)


def programme_targets() -> dict[str, Decimal]:
    """Share of *tiered* partners at or above each tier the programme aims for (staff edit it in admin)."""
    return ProgrammeTargets.current().by_tier()


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
    # Phase 2 drafts only: per requirement, who it holds back; required metrics nobody measures yet.
    requirement_effects: list[RequirementEffect] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)

    @property
    def unmeasured_labels(self) -> list[str]:
        return [Metric(metric).label for metric in self.unmeasured]


@dataclass(frozen=True)
class RequirementEffect:
    """One requirement of the draft in the judged month, grouped for the page by what it measures."""

    tier: str
    metric: str
    threshold: Decimal
    failing: int
    held_back: int  # meet every other requirement of the tier, not this one: it alone keeps them out

    @property
    def metric_label(self) -> str:
        return Metric(self.metric).label

    @property
    def dimension(self) -> str:
        return METRIC_DIMENSION[self.metric]

    @property
    def dimension_label(self) -> str:
        return Dimension(self.dimension).label

    @property
    def phase2(self) -> bool:
        return self.metric in PHASE2_METRICS

    @property
    def unit(self) -> str:
        return METRIC_UNIT[self.metric]

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label


def what_if(*, rule_set: RuleSet, month: dt.date) -> WhatIf:
    """1. Judge the month under the draft; read its published judgement (stored snapshots).
    2. Count partners per tier (cumulative share of tiered partners) against the targets.
    3. List the partners whose tier differs; suggest thresholds at the target percentiles.
    """
    rules = engine.rules_load(rule_set)
    draft = engine.month_tiers(month=month, rule_set=rule_set, rules=rules)
    baseline, current_tier = _published_baseline(month)
    draft_tier, points = draft.tiers, draft.points
    # Every partner the draft judges, at its published tier (none yet: solutions_partner).
    current = [current_tier.get(pk, Tier.SOLUTIONS_PARTNER) for pk in draft_tier]
    rank = engine.TIER_RANK
    targets = programme_targets()
    ups, downs = [], []
    for pk, tier in draft_tier.items():
        before = current_tier.get(pk, Tier.SOLUTIONS_PARTNER)
        if tier != before:
            (ups if rank[tier] > rank[before] else downs).append((pk, before, tier))
    requirements = rules.requirements
    effects: list[RequirementEffect] = []
    if engine.phase2_metrics_used(requirements):
        effects = [
            RequirementEffect(e.tier, e.metric, e.threshold, e.failing, e.held_back)
            for e in engine.requirement_effects(month=month, rule_set=rule_set, rules=rules)
        ]
    return WhatIf(
        rule_set=rule_set,
        baseline=baseline,
        month=month,
        partner_count=len(draft_tier),
        tiered_draft=_tiered(draft_tier.values()),
        tiered_current=_tiered(current),
        shares=_shares(list(draft_tier.values()), current, targets),
        ups=_moves(ups, points),
        downs=_moves(downs, points),
        up_count=len(ups),
        down_count=len(downs),
        suggestions=_suggestions(draft, rule_set, targets),
        requirement_effects=effects,
        unmeasured=engine.phase2_metrics_unmeasured(requirements),
    )


def _published_baseline(month: dt.date) -> tuple[RuleSet | None, dict[int, str]]:
    """The published judgement of `month`: its stored snapshots when the month is evaluated.

    Only a month no run has judged yet is computed, under the rule set in force.
    """
    snapshots = MonthlySnapshot.objects.filter(month=month)
    in_force = engine.rule_sets_in_force(month).values("pk")[:1]
    # One query: the rule set that judged the month's snapshots, else the one in force.
    baseline = (
        RuleSet.objects.annotate(judged=Exists(snapshots.filter(rule_set=OuterRef("pk"))))
        .filter(Q(judged=True) | Q(pk=Subquery(in_force)))
        .order_by("-judged")
        .first()
    )
    if baseline is None:
        return None, {}
    if baseline.judged:
        return baseline, dict(snapshots.order_by().values_list("partner_id", "achieved_tier"))  # a dict: no order
    return baseline, engine.month_tiers(month=month, rule_set=baseline).tiers


def _tiered(tiers) -> int:
    return sum(1 for t in tiers if t != Tier.SOLUTIONS_PARTNER)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def _shares(draft: list[str], current: list[str], targets: dict[str, Decimal]) -> list[TierShare]:
    """Per tier: how many partners, and the cumulative share of tiered partners at or above it."""
    tiered_draft, tiered_current = _tiered(draft), _tiered(current)
    draft_counts, current_counts = Counter(draft), Counter(current)
    shares = []
    at_or_above_draft = at_or_above_current = 0
    for tier in reversed(Tier.values):
        at_or_above_draft += draft_counts[tier]
        at_or_above_current += current_counts[tier]
        shares.append(
            TierShare(
                tier=tier,
                draft=draft_counts[tier],
                current=current_counts[tier],
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


def _suggestions(draft: engine.MonthTiers, rule_set: RuleSet, targets: dict[str, Decimal]) -> list[Suggestion]:
    """Points thresholds that would put exactly the target share of tiered partners at or above each tier.

    Tiered partners are those the draft puts at Gold or above; the threshold is
    the points of the last partner inside the target percentile.
    """
    if rule_set.framework != Framework.POINTS:
        return []
    tiered = sorted(
        (draft.points[pk] for pk, tier in draft.tiers.items() if tier != Tier.SOLUTIONS_PARTNER), reverse=True
    )
    if not tiered:
        return []
    current = dict(rule_set.requirements.filter(metric=Metric.POINTS).values_list("tier", "threshold"))
    suggestions = []
    for tier, target in targets.items():
        keep = max(1, math.floor(len(tiered) * target / 100))
        suggestions.append(Suggestion(tier, current.get(tier), tiered[keep - 1].quantize(Decimal(1)), target))
    return suggestions
