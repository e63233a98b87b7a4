"""Demo data for enablement: accreditations with rollout dates, windows, certifications, holdings, an award."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from enablement.models import (
    Accreditation,
    AccreditationEligibility,
    AccreditationMark,
    AccreditationStatus,
    ApplicationWindow,
    AwardStatus,
    Certification,
    ImpactAward,
    PartnerAccreditation,
)
from portal.models import Partner, PartnerKind, Tier
from portal.months import add_months

CERTIFICATIONS = [
    "Inbound",
    "Inbound Marketing",
    "Sales Hub Implementation",
    "Marketing Hub Implementation",
    "Service Hub Implementation",
    "CMS Hub Implementation",
    "Solutions Partner",
    "Revenue Operations",
    "Integrating with HubSpot",
    "Reporting",
]
PEOPLE = ["Aiko Tanaka", "Ben Carter", "Carla Mendes", "Dev Patel", "Emma Schulz", "Grace Kim", "Hiro Sato", "Mei Chen"]
# (code, name, {tier: available_from}) — SPEC §6: Diamond/Elite mid-2022, Platinum by end of 2022; two more in H2 2022.
ACCREDITATIONS = [
    (
        "advanced-crm",
        "Advanced CRM Implementation",
        {"elite": "2022-07-01", "diamond": "2022-07-01", "platinum": "2022-12-01"},
    ),
    ("onboarding-pso", "Onboarding / PSO", {"elite": "2022-07-01", "diamond": "2022-07-01", "platinum": "2022-12-01"}),
    ("custom-integrations", "Custom Integrations", {"elite": "2022-10-01", "diamond": "2022-10-01"}),
    ("platform-migration", "Platform Migration", {"elite": "2022-10-01", "diamond": "2022-10-01"}),
]


def seed(*, rng: random.Random, people, today: dt.date) -> None:
    accreditations = _seed_accreditations()
    _seed_windows(today)
    # tiers.demo ran first: read tiers fresh from the database.
    partners = list(Partner.objects.order_by("partner_id"))
    _seed_certifications(rng=rng, partners=partners, today=today)
    _seed_holdings(rng=rng, partners=partners, accreditations=accreditations, today=today, staff=people.staff)
    demo = partners[0]
    ImpactAward.objects.create(
        year=today.year - 1,
        region=demo.region,
        category="customer_first",
        partner=demo,
        citation="Outstanding customer reviews across the year.",
        status=AwardStatus.PUBLISHED,
        nominated_by=people.staff,
        published_at=timezone.now(),
    )


def _seed_accreditations() -> list[Accreditation]:
    accreditations = Accreditation.objects.bulk_create([Accreditation(code=c, name=n) for c, n, _ in ACCREDITATIONS])
    AccreditationEligibility.objects.bulk_create(
        [
            AccreditationEligibility(accreditation=a, tier=tier, available_from=dt.date.fromisoformat(day))
            for a, (_c, _n, rollout) in zip(accreditations, ACCREDITATIONS, strict=True)
            for tier, day in rollout.items()
        ]
    )
    return accreditations


def _seed_windows(today: dt.date) -> None:
    """Two windows a year (January and June, SPEC §6), from 2022 to next year."""
    windows = []
    for year in range(2022, today.year + 2):
        windows.append(
            ApplicationWindow(name=f"{year} January", opens_on=dt.date(year, 1, 1), closes_on=dt.date(year, 1, 31))
        )
        windows.append(
            ApplicationWindow(name=f"{year} June", opens_on=dt.date(year, 6, 1), closes_on=dt.date(year, 6, 30))
        )
    ApplicationWindow.objects.bulk_create(windows)


def _seed_certifications(*, rng: random.Random, partners: list[Partner], today: dt.date) -> None:
    rows = []
    for index, partner in enumerate(partners):
        count = 8 if index == 0 else rng.randint(0, 10 + 4 * Tier.rank(partner.tier))
        for _ in range(count):
            issued = today - dt.timedelta(days=rng.randint(10, 900))
            rows.append(
                Certification(
                    partner=partner,
                    holder_name=rng.choice(PEOPLE),
                    name=rng.choice(CERTIFICATIONS),
                    issued_on=issued,
                    expires_on=issued + dt.timedelta(days=730) if rng.random() < 0.8 else None,
                )
            )
    Certification.objects.bulk_create(rows)


def _seed_holdings(*, rng: random.Random, partners: list[Partner], accreditations, today: dt.date, staff) -> None:
    eligible = [
        p for p in partners if p.kind == PartnerKind.SOLUTIONS_PARTNER and Tier.rank(p.tier) >= Tier.rank(Tier.PLATINUM)
    ]
    holders = [partners[0], *[p for p in eligible if p != partners[0] and rng.random() < 0.5]]
    rows = []
    for partner in holders:
        chosen = accreditations[:2] if partner == partners[0] else rng.sample(accreditations[:2], k=rng.randint(1, 2))
        for accreditation in chosen:
            granted = today - dt.timedelta(days=rng.randint(0, 170))
            rows.append(
                PartnerAccreditation(
                    partner=partner,
                    accreditation=accreditation,
                    granted_on=granted,
                    next_review_on=add_months(granted, 6),
                )
            )
    rows = PartnerAccreditation.objects.bulk_create(rows)
    # One accredited partner with four marks on record has been referred to the review board.
    flagged = next((h for h in rows if h.partner_id != partners[0].pk), None)
    if flagged is not None:
        AccreditationMark.objects.bulk_create(
            [
                AccreditationMark(holding=flagged, note=f"Quality check failed ({n})", recorded_by=staff)
                for n in range(1, 5)
            ]
        )
        PartnerAccreditation.objects.filter(pk=flagged.pk).update(status=AccreditationStatus.REVIEW_BOARD)
