"""Fixtures for enablement: accreditations with rollout dates, windows, and monthly snapshots for awards.

Award figures come from the tier engine's `MonthlySnapshot`; tests create those rows through the app
registry (the app itself reads them only via `tiers.selectors.monthly_snapshots`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from enablement.models import Accreditation, AccreditationEligibility, ApplicationWindow


@pytest.fixture
def advanced_crm(db):
    accreditation = Accreditation.objects.create(code="advanced-crm", name="Advanced CRM")
    AccreditationEligibility.objects.bulk_create(
        [
            AccreditationEligibility(accreditation=accreditation, tier="elite", available_from=dt.date(2022, 7, 1)),
            AccreditationEligibility(accreditation=accreditation, tier="diamond", available_from=dt.date(2022, 7, 1)),
            AccreditationEligibility(accreditation=accreditation, tier="platinum", available_from=dt.date(2022, 12, 1)),
        ]
    )
    return accreditation


@pytest.fixture
def window(db):
    return ApplicationWindow.objects.create(
        name="2022 H2", opens_on=dt.date(2022, 7, 1), closes_on=dt.date(2022, 7, 31)
    )


@pytest.fixture
def snapshot(db):
    """`snapshot(partner, "2022-05", sold=..., managed=..., tier=...)` creates one MonthlySnapshot."""
    RuleSet = apps.get_model("tiers", "RuleSet")
    JobRun = apps.get_model("portal", "JobRun")
    Snapshot = apps.get_model("tiers", "MonthlySnapshot")
    rule_set = RuleSet.objects.create(
        name="test rules", framework="points", effective_from=dt.date(2020, 1, 1), emerging_market_multiplier=2
    )
    runs: dict[str, object] = {}

    def make(partner, month: str, *, sold="0", managed="0", tier="solutions_partner"):
        if month not in runs:
            runs[month] = JobRun.objects.create(job="monthly_evaluation", period=month, started_at=timezone.now())
        year, mon = (int(x) for x in month.split("-"))
        return Snapshot.objects.create(
            partner=partner,
            month=dt.date(year, mon, 1),
            rule_set=rule_set,
            run=runs[month],
            sold_mrr_usd=Decimal(sold),
            managed_mrr_usd=Decimal(managed),
            achieved_tier=tier,
        )

    return make
