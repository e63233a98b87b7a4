"""Demo data for the tier engine: rule sets, 24 months of customer MRR, and the real history.

Everything goes through the services (rule set import, MRR import, monthly
runs, reassessments), so the demo's tiers, snapshots and tier changes are
what the engine really computes. Deterministic given `rng`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from portal.models import Partner, PartnerKind, Tier
from portal.months import add_months, month_start
from tiers import engine, services

# SPEC §3.2: the amount of each currency "equal to US$100" (fixed, not live FX).
EQUAL_TO_USD100 = {
    "USD": Decimal("100"),
    "AUD": Decimal("105"),
    "CAD": Decimal("130"),
    "EUR": Decimal("75"),
    "GBP": Decimal("62.50"),
    "JPY": Decimal("12000"),
    "SGD": Decimal("140"),
    "ZAR": Decimal("1545"),
    "COP": Decimal("300300"),
    "MXN": Decimal("1700"),
    "BRL": Decimal("500"),
    "CLP": Decimal("90000"),
    "INR": Decimal("8300"),
    "MYR": Decimal("470"),
    "PHP": Decimal("5600"),
    "NZD": Decimal("165"),
    "KRW": Decimal("130000"),
}
CURRENCY_OF = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL", "CO": "COP", "AR": "USD", "CL": "CLP",
    "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "ES": "EUR", "IE": "EUR", "ZA": "ZAR",
    "AU": "AUD", "SG": "SGD", "IN": "INR", "MY": "MYR", "PH": "PHP", "NZ": "NZD", "KR": "KRW", "JP": "JPY",
}  # fmt: skip
WHOLE_UNITS = {"JPY", "KRW", "CLP", "COP"}
EMERGING_CUSTOMER_COUNTRIES = ["BR", "MX", "IN", "SG", "KR", "PH", "MY", "CO", "CL"]
OTHER_CUSTOMER_COUNTRIES = ["US", "GB", "DE", "AU", "CA", "JP", "FR", "NL"]
TLD = {"JP": "co.jp", "GB": "co.uk", "AU": "com.au", "BR": "com.br", "MX": "com.mx", "IN": "in", "DE": "de"}
WORDS = [
    "acme", "globex", "initech", "umbrella", "hooli", "vandelay", "wonka", "tyrell", "stark", "wayne",
    "soylent", "oceanic", "aperture", "cyberdyne", "monarch", "gringotts", "pied", "dunder", "sterling", "nakatomi",
]  # fmt: skip

# Legacy rule set (public Elite figure; other tiers are demo values), USD.
LEGACY_TIERS = {
    "gold": ("7000", "18000"),
    "platinum": ("16000", "42000"),
    "diamond": ("32000", "85000"),
    "elite": ("65000", "170000"),
}
# Points thresholds of July 2022 (points, min sales points); raised 20% every July.
POINTS_2022 = {
    "gold": (Decimal(150), Decimal(45)),
    "platinum": (Decimal(500), Decimal(150)),
    "diamond": (Decimal(1500), Decimal(450)),
    "elite": (Decimal(4500), Decimal(1350)),
}
YEARLY_RAISE = Decimal("1.2")
MULTIPLIER = Decimal(2)
HISTORY_MONTHS = 24
DEMO_PARTNER_ID = "P00001"


def _coefficients() -> dict[str, dict[str, str]]:
    return {
        currency: {"sales": str(Decimal(3) / amount), "managed": str(Decimal(1) / amount)}
        for currency, amount in EQUAL_TO_USD100.items()
    }


def _points_thresholds(year: int) -> dict[str, tuple[Decimal, Decimal]]:
    factor = YEARLY_RAISE ** (year - 2022)
    return {
        tier: ((p * factor).quantize(Decimal(10)), (m * factor).quantize(Decimal(5)))
        for tier, (p, m) in POINTS_2022.items()
    }


def _points_effective_from(year: int) -> dt.date:
    return dt.date(2022, 7, 16) if year == 2022 else dt.date(year, 7, 1)


def seed_rule_sets(*, today: dt.date) -> None:
    """Legacy 2021, a points set every July up to today, and next July's draft."""
    services.rule_set_import(
        data={
            "name": "Legacy 2021",
            "framework": "legacy",
            "effective_from": "2021-01-01",
            "emerging_market_multiplier": str(MULTIPLIER),
            "coefficients": _coefficients(),
            "tiers": {t: {"sold_mrr": s, "managed_mrr": m} for t, (s, m) in LEGACY_TIERS.items()},
        }
    )
    year = 2022
    while True:
        effective = _points_effective_from(year)
        draft = effective > today
        services.rule_set_import(
            data={
                "name": f"Points FY{year}",
                "framework": "points",
                "effective_from": effective.isoformat(),
                "emerging_market_multiplier": str(MULTIPLIER),
                "coefficients": _coefficients(),
                "tiers": {
                    t: {"points": str(p), "min_sales_points": str(m)} for t, (p, m) in _points_thresholds(year).items()
                },
            },
            draft=draft,
        )
        if draft:
            return
        year += 1


# Phase 2 (from 2023): customer success and knowledge on top of points, per tier (docs/rules.md).
PHASE2_DRAFT_NAME = "2023 Phase 2 (draft)"
PHASE2_TIERS = {
    "gold": {"customer_revenue_retention": "80", "certified_people": "2"},
    "platinum": {"customer_revenue_retention": "85", "certified_people": "3"},
    "diamond": {"customer_revenue_retention": "90", "certified_people": "5", "accreditations": "1"},
    "elite": {"customer_revenue_retention": "90", "certified_people": "7", "accreditations": "2"},
}


def seed_phase2_draft(*, today: dt.date) -> None:
    """A draft with this year's points thresholds plus retention, certified people and accreditations.

    Staff judge it in the what-if against the rules in force (nothing publishes it); it takes
    effect next January if published.
    """
    year = _rules_year(add_months(month_start(today), -1))
    services.rule_set_import(
        data={
            "name": PHASE2_DRAFT_NAME,
            "framework": "points",
            "effective_from": dt.date(today.year + 1, 1, 1).isoformat(),
            "emerging_market_multiplier": str(MULTIPLIER),
            "coefficients": _coefficients(),
            "tiers": {
                t: {"points": str(p), "min_sales_points": str(m), **PHASE2_TIERS[t]}
                for t, (p, m) in _points_thresholds(year).items()
            },
        },
        draft=True,
    )


# --- customers -----------------------------------------------------------------


@dataclass
class _Customer:
    domain: str
    country: str
    currency: str
    usd: float  # monthly MRR in USD equivalent
    sold: bool
    managed: bool
    growth: float
    start: int  # first month index
    end: int = HISTORY_MONTHS  # month index after the last


@dataclass
class _Book:
    partner: Partner
    customers: list[_Customer] = field(default_factory=list)
    scale: list[float] = field(default_factory=lambda: [1.0] * HISTORY_MONTHS)


def _customer(
    rng: random.Random, partner: Partner, number: int, *, size: float, growth: float, start: int
) -> _Customer:
    home = str(partner.country)
    roll = rng.random()
    country = (
        home if roll < 0.78 else rng.choice(EMERGING_CUSTOMER_COUNTRIES if roll < 0.9 else OTHER_CUSTOMER_COUNTRIES)
    )
    kind = rng.random()
    word = WORDS[(number * 7 + len(partner.partner_id)) % len(WORDS)]
    return _Customer(
        domain=f"{word}-{partner.partner_id.lower()}-{number}.{TLD.get(country, 'com')}",
        country=country,
        currency=CURRENCY_OF.get(country, "USD"),
        usd=rng.lognormvariate(5.7, 0.8) * size**0.35,
        sold=kind < 0.75,
        managed=kind > 0.2,
        growth=rng.gauss(growth, 0.012),
        start=start,
    )


def _book(rng: random.Random, partner: Partner) -> _Book:
    """A partner's customers over the 24 months: growth, churn and new accounts."""
    size = rng.lognormvariate(0, 1.0)
    growth = rng.gauss(0.018, 0.02)  # per month: ≈ 24% a year on average, some shrink
    book = _Book(partner)
    count = max(4, min(110, int(5 + 13 * size)))
    book.customers = [_customer(rng, partner, n, size=size, growth=growth, start=0) for n in range(count)]
    number = count
    for month in range(1, HISTORY_MONTHS):
        for customer in book.customers:
            if customer.end == HISTORY_MONTHS and customer.start < month and rng.random() < 0.012:
                customer.end = month  # churned
        for _ in range(sum(1 for _ in range(count) if rng.random() < 0.02)):
            book.customers.append(_customer(rng, partner, number, size=size, growth=growth, start=month))
            number += 1
    return book


def _amounts(customer: _Customer, month: int, scale: float) -> tuple[Decimal, Decimal]:
    usd = customer.usd * (1 + customer.growth) ** (month - customer.start) * scale
    local = Decimal(repr(usd)) * EQUAL_TO_USD100[customer.currency] / 100
    places = Decimal(1) if customer.currency in WHOLE_UNITS else Decimal("0.01")
    amount = local.quantize(places, rounding=ROUND_HALF_UP)
    return (amount if customer.sold else Decimal(0), amount if customer.managed else Decimal(0))


def _points(customer: _Customer, month: int, scale: float) -> Decimal:
    sold, managed = _amounts(customer, month, scale)
    credit = MULTIPLIER if customer.country in EMERGING_CUSTOMER_COUNTRIES else 1
    return (3 * sold + managed) / EQUAL_TO_USD100[customer.currency] * credit


def _shape_demo_partner(book: _Book, first_month: dt.date) -> None:
    """P00001: promoted to Gold after four months, then growing 4.5% a month to ~90% of Platinum's target.

    Its thresholds rise each July, so growth faster than the raise keeps it
    below Platinum in every earlier month too (an interesting "near Platinum").
    """
    last = HISTORY_MONTHS - 1
    for month in range(HISTORY_MONTHS):
        year_of_rules = max(2022, _rules_year(add_months(first_month, month)))
        gold, platinum = (_points_thresholds(year_of_rules)[t][0] for t in ("gold", "platinum"))
        final_platinum = _points_thresholds(_rules_year(add_months(first_month, last)))["platinum"][0]
        target = final_platinum * Decimal("0.9") / Decimal("1.045") ** (last - month)
        target = max(min(target, platinum * Decimal("0.95")), gold * Decimal("1.1"))
        if month < 4:  # just below Gold at first: promoted after its fourth month
            target = gold * (Decimal("0.82") + Decimal("0.04") * month)
        actual = sum(_points(c, month, 1.0) for c in book.customers if c.start <= month < c.end)
        book.scale[month] = float(target / actual) if actual else 1.0


def _rules_year(month: dt.date) -> int:
    """The year of the points rule set in force for a month (July onwards: that year's)."""
    return month.year if month.month >= 7 else month.year - 1


def _mrr_lines(books: list[_Book], first_month: dt.date) -> Iterator[str]:
    yield "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"
    for book in books:
        for month in range(HISTORY_MONTHS):
            label = f"{add_months(first_month, month):%Y-%m}"
            for customer in book.customers:
                if customer.start <= month < customer.end:
                    sold, managed = _amounts(customer, month, book.scale[month])
                    yield (
                        f"{book.partner.partner_id},{label},{customer.domain},{customer.country},"
                        f"{customer.currency},{sold},{managed}\n"
                    )


# --- history -------------------------------------------------------------------


def _starting_tiers(first_month: dt.date) -> None:
    """Before the demo's history, each partner holds the tier its first month shows (initial data)."""
    rule_set = engine.rule_set_in_force(first_month)
    groups: dict[str, list[int]] = {}
    for row in engine.compute_month(month=first_month, rule_set=rule_set):
        groups.setdefault(row.achieved_tier, []).append(row.partner_id)
    for tier, ids in groups.items():
        Partner.objects.filter(pk__in=ids).update(
            tier=tier, tier_since=first_month if tier != Tier.SOLUTIONS_PARTNER else None
        )


def _run_history(first_month: dt.date) -> None:
    """Evaluate each month in order; reassess on the engine's dates once six months are evaluated."""
    for index in range(HISTORY_MONTHS):
        month = add_months(first_month, index)
        for day in engine.reassessment_dates(month.year):
            if month_start(day) == month and index >= 6:
                services.reassessment_run(on=day)
        services.month_evaluate(month=month)


def seed(*, rng: random.Random, people, today: dt.date) -> None:
    """Rule sets, 24 months of MRR ending with the last closed month, and the history they make."""
    seed_rule_sets(today=today)
    seed_phase2_draft(today=today)
    last_month = add_months(month_start(today), -1)
    first_month = add_months(last_month, -(HISTORY_MONTHS - 1))
    solutions = [p for p in people.partners if p.kind == PartnerKind.SOLUTIONS_PARTNER]
    books = [_book(rng, partner) for partner in solutions]
    for book in books:
        if book.partner.partner_id == DEMO_PARTNER_ID:
            _shape_demo_partner(book, first_month)
    services.mrr_import(lines=_mrr_lines(books, first_month), complete=True, by="seed_demo")
    _starting_tiers(first_month)
    _run_history(first_month)
