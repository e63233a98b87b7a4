"""Reads of the tier engine's data that other apps may use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, Expression, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from portal.history import HistoryItem
from portal.jobs import job_label
from portal.models import JobOutcome, JobRun, Partner, PartnerKind, Tier
from portal.months import month_start
from tiers.engine import ZERO, customer_figures, lookup_inputs, round_points, rule_set_in_force
from tiers.models import CustomerMRR, MonthlySnapshot, RuleSet, TierChange


def monthly_snapshots(
    *, start: dt.date, end: dt.date, partner_ids: Iterable[int] | None = None
) -> QuerySet[MonthlySnapshot]:
    """Snapshots for months in [start, end] (first days of months), oldest first.

    `sold_mrr_usd` / `managed_mrr_usd` are the month's MRR in USD at the rule
    set's fixed rates, without the emerging-market multiplier.
    """
    snapshots = MonthlySnapshot.objects.filter(month__gte=start, month__lte=end)
    if partner_ids is not None:
        snapshots = snapshots.filter(partner_id__in=list(partner_ids))
    return snapshots.order_by("partner_id", "month")


def rule_set_has_judged(rule_set: RuleSet) -> bool:
    """True once a monthly run judged a month with it: from then on it is immutable."""
    if rule_set.pk is None:
        return False
    return (
        JobRun.objects.filter(
            job="monthly_evaluation", outcome=JobOutcome.DONE, counts__rule_set_id=rule_set.pk
        ).exists()
        or MonthlySnapshot.objects.filter(rule_set=rule_set).exists()
    )


def _two_places(value: Decimal) -> str:
    """Snapshots already hold two-place figures (docs/rules.md); the engine's rounding keeps old rows alike."""
    return str(round_points(value))


def tier_on(*, partner: Partner, on: dt.date | None = None) -> tuple[str | None, dt.date | None]:
    """The (tier, tier_since) in effect on `on` (today's stored values when None).

    Derived from the TierChange history: the last change effective on or
    before `on`; before the first change, the tier that change started from.
    Providers have no tier (None, None).
    """
    if partner.kind == PartnerKind.PROVIDER:
        return None, None
    if on is None:
        return partner.tier, partner.tier_since
    changes = list(partner.tier_changes.order_by("effective_on", "created_at", "pk"))
    applied = [c for c in changes if c.effective_on <= on]
    if applied:
        return applied[-1].to_tier, applied[-1].effective_on
    if on < partner.joined_on:
        return None, None
    if changes:
        return changes[0].from_tier, partner.joined_on
    return partner.tier, partner.tier_since


def partner_tier_status(*, partner: Partner, on: dt.date | None = None) -> dict:
    """The tier part of a partner's status (api.status merges it): JSON-ready, oldest first.

    Points are decimal strings with two places; `tier`/`tier_since` are those
    in effect on `on` when given.
    """
    tier, since = tier_on(partner=partner, on=on)
    snapshots = MonthlySnapshot.objects.filter(partner=partner).select_related("rule_set").order_by("month")
    changes = partner.tier_changes.order_by("effective_on", "created_at", "pk")
    return {
        "tier": tier,
        "tier_since": since.isoformat() if since else None,
        "snapshots": [
            {
                "month": f"{s.month:%Y-%m}",
                "sales_points": _two_places(s.sales_points),
                "managed_points": _two_places(s.managed_points),
                "points": _two_places(s.points),
                "achieved_tier": s.achieved_tier,
                "rule_set": s.rule_set.name,
            }
            for s in snapshots
        ],
        "tier_changes": [
            {"effective_on": c.effective_on.isoformat(), "from": c.from_tier, "to": c.to_tier, "reason": c.reason}
            for c in changes
        ],
    }


def partner_history_items(partner: Partner, limit: int) -> list[HistoryItem]:
    """Tier changes of one partner, for the staff history page."""
    changes = TierChange.objects.filter(partner=partner).select_related("changed_by", "run").order_by("-created_at")
    tier_labels = dict(Tier.choices)
    return [
        HistoryItem(
            at=change.created_at,
            kind=str(_("Tier")),
            subject=str(change.get_reason_display()),
            old=str(tier_labels.get(change.from_tier, change.from_tier)),
            new=str(tier_labels.get(change.to_tier, change.to_tier)),
            actor=change.changed_by,
            actor_label=str(job_label(change.run.job)) if change.run_id else "",
            reason=change.note,
        )
        for change in changes[:limit]
    ]


def customer_mrr_months(*, partner: Partner) -> QuerySet:
    """The partner's months of customer MRR with something billed (sold or managed), one row per customer and month.

    Other apps build on it (registrations' cap reduction assistant takes the latest month of a domain).
    """
    return CustomerMRR.objects.filter(Q(sold_mrr__gt=0) | Q(managed_mrr__gt=0), partner=partner)


# --- customer facts other apps ask about (directory: review invitations, Global Partner of the Year) ---------


def partner_has_customer_domain(*, partner: Partner, domains: Iterable[str], since: dt.date) -> bool:
    """True when the partner reported MRR for a customer on one of `domains` in a month from `since` on."""
    return CustomerMRR.objects.filter(
        partner=partner, month__gte=month_start(since), customer_domain__in=list(domains)
    ).exists()


def _customer_usd(month: dt.date) -> Expression | None:
    """A customer's MRR in USD for `month` (sold + managed, each in cents as the breakdown shows it)."""
    rule_set = rule_set_in_force(month)
    if rule_set is None:
        return None
    figures = customer_figures(lookup_inputs(rule_set))
    return figures["sold_usd"] + figures["managed_usd"]


def customer_revenue_kept(*, start: dt.date, end: dt.date) -> dict[int, tuple[Decimal, Decimal]]:
    """Per partner: (USD MRR in `start` of the customers it had in `start`, USD MRR of those customers in `end`).

    Two set-based queries. Each customer's USD is the breakdown's figure for that month (its rule set's
    coefficients, cents per customer); a customer gone by `end` counts 0 there, a customer new since
    `start` does not count at all.
    """
    start_usd, end_usd = _customer_usd(start), _customer_usd(end)
    if start_usd is None or end_usd is None:
        return {}
    opening = dict(
        CustomerMRR.objects.filter(month=start)
        .values("partner_id")
        .annotate(total=Sum(start_usd))
        .values_list("partner_id", "total")
    )
    was_customer = CustomerMRR.objects.filter(
        month=start, partner_id=OuterRef("partner_id"), customer_domain=OuterRef("customer_domain")
    )
    closing = dict(
        CustomerMRR.objects.filter(Exists(was_customer), month=end)
        .values("partner_id")
        .annotate(total=Sum(end_usd))
        .values_list("partner_id", "total")
    )
    return {pid: (total or ZERO, closing.get(pid) or ZERO) for pid, total in opening.items()}


def recent_customer_domains(*, partner: Partner, since: dt.date, limit: int) -> list[str]:
    """Up to `limit` customer domains the partner reported MRR for from `since` on, largest sold MRR first."""
    rows = (
        CustomerMRR.objects.filter(partner=partner, month__gte=month_start(since))
        .values("customer_domain")
        .annotate(total=Sum("sold_mrr"))
        .order_by("-total", "customer_domain")
    )
    return [row["customer_domain"] for row in rows[:limit]]


def latest_snapshot_month() -> dt.date | None:
    """The last month the monthly run has evaluated (None before the first run)."""
    return MonthlySnapshot.objects.aggregate(latest=Max("month"))["latest"]
