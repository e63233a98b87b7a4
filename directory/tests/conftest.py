"""Fixtures for client reviews and Global Partner of the Year: customer MRR rows, snapshots, invitations.

MRR and snapshots belong to `tiers`; tests create them through the app registry (the directory
itself reads them only through `tiers.selectors`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from directory import review_services


def _month(month: str) -> dt.date:
    year, mon = (int(x) for x in month.split("-"))
    return dt.date(year, mon, 1)


@pytest.fixture
def rule_set(db):
    """A published points rule set: USD 1:1, EUR 1.10 USD (sales and managed)."""
    RuleSet = apps.get_model("tiers", "RuleSet")
    Coefficient = apps.get_model("tiers", "CurrencyCoefficient")
    rules = RuleSet.objects.create(
        name="test rules",
        framework="points",
        effective_from=dt.date(2020, 1, 1),
        emerging_market_multiplier=2,
        status="published",
        published_at=timezone.now(),
    )
    Coefficient.objects.create(rule_set=rules, currency="USD", sales=Decimal("1"), managed=Decimal("1"))
    Coefficient.objects.create(rule_set=rules, currency="EUR", sales=Decimal("1.1"), managed=Decimal("1.1"))
    return rules


@pytest.fixture
def mrr(db):
    """`mrr(partner, "2026-06", "client.com", sold="100", managed="0", currency="USD")`: one CustomerMRR row."""
    CustomerMRR = apps.get_model("tiers", "CustomerMRR")

    def make(partner, month: str, domain: str, *, sold="100", managed="0", currency="USD", country="US"):
        row, _created = CustomerMRR.objects.update_or_create(
            partner=partner,
            month=_month(month),
            customer_domain=domain,
            defaults={
                "customer_country": country,
                "currency": currency,
                "sold_mrr": Decimal(sold),
                "managed_mrr": Decimal(managed),
            },
        )
        return row

    return make


@pytest.fixture
def snapshot(rule_set):
    """`snapshot(partner, "2025-01", sold="1000", managed="0")`: one MonthlySnapshot (USD figures)."""
    JobRun = apps.get_model("portal", "JobRun")
    Snapshot = apps.get_model("tiers", "MonthlySnapshot")
    runs: dict[str, object] = {}

    def make(partner, month: str, *, sold="0", managed="0"):
        if month not in runs:
            runs[month] = JobRun.objects.create(job="monthly_evaluation", period=month, started_at=timezone.now())
        return Snapshot.objects.create(
            partner=partner,
            month=_month(month),
            rule_set=rule_set,
            run=runs[month],
            sold_mrr_usd=Decimal(sold),
            managed_mrr_usd=Decimal(managed),
            achieved_tier="solutions_partner",
        )

    return make


@pytest.fixture
def invite(mrr):
    """`invite(actor, "jane@client.com", now=…)`: a customer MRR row for the domain and an invitation; the raw token."""

    def make(actor, email: str, *, now: dt.datetime | None = None, language: str = "en", name: str = "Jane Client"):
        now = now or timezone.now()
        domain = email.rpartition("@")[2]
        mrr(actor.partner, f"{now:%Y-%m}", domain)
        _invitation, raw = review_services.review_invite(
            actor=actor, email=email, contact_name=name, language=language, now=now
        )
        return raw

    return make


@pytest.fixture
def submitted(invite, partner_admin):
    """`submitted(email, rating=5, now=…)`: a review waiting for moderation."""

    def make(email: str = "jane@client.com", *, rating: int = 5, now: dt.datetime | None = None, title="Great work"):
        raw = invite(partner_admin, email, now=now)
        return review_services.review_submit(
            raw_token=raw,
            rating=rating,
            title=title,
            body="They rebuilt our CRM and trained the whole team.",
            reviewer_name="Jane Client",
            consent=True,
            language="en",
            now=now,
        )

    return make
