"""Factories and helpers for the tier engine's tests (rule sets go through the real import service)."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import factory
import pytest

from portal.models import Partner
from tests.factories import PartnerFactory
from tiers import services
from tiers.models import CustomerMRR, EmergingMarket, RuleSet

# SPEC §3.2: the amount of each currency "equal to US$100".
EQUAL_TO_USD100 = {
    "USD": "100",
    "AUD": "105",
    "CAD": "130",
    "EUR": "75",
    "GBP": "62.50",
    "JPY": "12000",
    "SGD": "140",
    "ZAR": "1545",
    "COP": "300300",
    "BRL": "500",
    "INR": "8300",
    "MXN": "1700",
}

POINTS_TIERS = {
    "gold": {"points": "100", "min_sales_points": "30"},
    "platinum": {"points": "300", "min_sales_points": "90"},
    "diamond": {"points": "1000", "min_sales_points": "300"},
    "elite": {"points": "3000", "min_sales_points": "900"},
}
LEGACY_TIERS = {
    "gold": {"sold_mrr": "1000", "managed_mrr": "2000"},
    "platinum": {"sold_mrr": "3000", "managed_mrr": "6000"},
    "diamond": {"sold_mrr": "10000", "managed_mrr": "20000"},
    "elite": {"sold_mrr": "65000", "managed_mrr": "170000"},
}


def coefficients(currencies: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Points per unit: 3 sales / 1 managed point per 'US$100 equivalent' of the currency."""
    result = {}
    for currency in currencies or list(EQUAL_TO_USD100):
        amount = Decimal(EQUAL_TO_USD100[currency])
        result[currency] = {"sales": str(Decimal(3) / amount), "managed": str(Decimal(1) / amount)}
    return result


def rules_doc(
    *,
    name: str = "Points 2022",
    framework: str = "points",
    effective_from: str = "2022-07-16",
    multiplier: str = "2",
    tiers: dict | None = None,
    currencies: list[str] | None = None,
) -> dict:
    return {
        "name": name,
        "framework": framework,
        "effective_from": effective_from,
        "emerging_market_multiplier": multiplier,
        "coefficients": coefficients(currencies),
        "tiers": tiers or (POINTS_TIERS if framework == "points" else LEGACY_TIERS),
    }


def points_rules(**kwargs) -> RuleSet:
    draft = kwargs.pop("draft", False)
    return services.rule_set_import(data=rules_doc(**kwargs), draft=draft)


def legacy_rules(**kwargs) -> RuleSet:
    kwargs.setdefault("name", "Legacy 2021")
    kwargs.setdefault("effective_from", "2021-01-01")
    draft = kwargs.pop("draft", False)
    return services.rule_set_import(data=rules_doc(framework="legacy", **kwargs), draft=draft)


class CustomerMRRFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerMRR

    partner = factory.SubFactory(PartnerFactory)
    month = dt.date(2022, 7, 1)
    customer_domain = factory.Sequence(lambda n: f"customer{n}.example.com")
    customer_country = "US"
    currency = "USD"
    sold_mrr = Decimal("0")
    managed_mrr = Decimal("0")


def mrr(partner, month: str, *, sold: str = "0", managed: str = "0", **kwargs) -> CustomerMRR:
    """One customer row; `month` as 'YYYY-MM'."""
    year, number = (int(part) for part in month.split("-"))
    return CustomerMRRFactory(
        partner=partner, month=dt.date(year, number, 1), sold_mrr=Decimal(sold), managed_mrr=Decimal(managed), **kwargs
    )


def partner_platinum_from_september_2022() -> Partner:
    """Under `points_rules`, a partner selling US$10,000 MRR in August 2022: the August 2022 evaluation
    (run on 1 September) makes it Platinum."""
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-08", sold="10000")
    return partner


def months(start: str, end: str) -> list[str]:
    year, month = (int(p) for p in start.split("-"))
    result = []
    while f"{year:04d}-{month:02d}" <= end:
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def month_date(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:]), 1)


@pytest.fixture(autouse=True)
def spec_emerging_markets(request):
    """The SPEC §3.3 countries of migration 0003, present in every database test.

    A transactional test elsewhere (flush) or a reused test database can lose
    migration data; import this fixture into a test module to restore it.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    if not EmergingMarket.objects.exists():
        groups = importlib.import_module("tiers.migrations.0003_emerging_markets").GROUPS
        EmergingMarket.objects.bulk_create(
            EmergingMarket(country=code, group=group) for group, codes in groups.items() for code in codes
        )
