"""Phase 2 helpers for the tier tests: a points rule set requiring the Phase 2 metrics, and the knowledge rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from enablement.models import Accreditation, AccreditationStatus, Certification, PartnerAccreditation
from tiers.tests.factories import POINTS_TIERS, points_rules

# Gold and Platinum need retention and certified people on top of points; nothing else changes.
PHASE2_TIERS = {
    "gold": {**POINTS_TIERS["gold"], "customer_revenue_retention": "50", "certified_people": "2"},
    "platinum": {**POINTS_TIERS["platinum"], "customer_revenue_retention": "60", "certified_people": "3"},
    "diamond": {**POINTS_TIERS["diamond"], "customer_revenue_retention": "80", "certified_people": "5"},
    "elite": {**POINTS_TIERS["elite"], "customer_revenue_retention": "90", "certified_people": "10"},
}


def phase2_rules(tiers: dict | None = None, **kwargs):
    kwargs.setdefault("name", "Phase 2 2023")
    return points_rules(tiers=tiers or PHASE2_TIERS, **kwargs)


def certify(partner, *people: str, issued_on=dt.date(2020, 1, 1), expires_on=None, name="Platform expert"):
    """One certification per person (`'Name <email>'` or a bare name)."""
    rows = []
    for person in people:
        holder, _, email = person.partition(" <")
        rows.append(
            Certification.objects.create(
                partner=partner,
                holder_name=holder,
                holder_email=email.rstrip(">"),
                name=name,
                issued_on=issued_on,
                expires_on=expires_on,
            )
        )
    return rows


_codes = iter(range(1, 10**6))


def accredit(partner, *, granted_on, status=AccreditationStatus.ACTIVE, next_review_on=None):
    code = next(_codes)
    accreditation = Accreditation.objects.create(code=f"acc-{code}", name=f"Accreditation {code}")
    return PartnerAccreditation.objects.create(
        partner=partner,
        accreditation=accreditation,
        status=status,
        granted_on=granted_on,
        next_review_on=next_review_on or granted_on + dt.timedelta(days=183),
    )


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def requirements_add(rule_set, requirements: dict[str, dict[str, str]]) -> None:
    """Add Phase 2 requirements to a rule set built by `dashboard_factories.rule_set_make`."""
    from tiers.models import TierRequirement

    TierRequirement.objects.bulk_create(
        TierRequirement(rule_set=rule_set, tier=tier, metric=metric, threshold=Decimal(threshold))
        for tier, metrics in requirements.items()
        for metric, threshold in metrics.items()
    )


# On top of dashboard_factories.THRESHOLDS: retention and certified people from Gold up.
PAGE_PHASE2 = {
    "gold": {"customer_revenue_retention": "80", "certified_people": "2"},
    "platinum": {"customer_revenue_retention": "85", "certified_people": "4"},
    "diamond": {"customer_revenue_retention": "90", "certified_people": "8"},
    "elite": {"customer_revenue_retention": "90", "certified_people": "15"},
}
