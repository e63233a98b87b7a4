"""Benchmark: the public Solutions Directory at 10,000 partners (issue #14: search p95 ≤ 100 ms uncached).

Seeds partners with listings (5% providers, 10% unlisted, 1% hidden by staff), operating countries,
industries, services, languages, two accreditations held by a tenth of the partners and published
reviews for a third of them, then times the search page in-process as an anonymous visitor for
typical filter combinations. Every timed request runs after `directory_cache_bump()`, so the figure
is the uncached page (the Django cache would answer a repeat in well under a millisecond; that is
timed once too). Run through `bench/run.py --only directory`.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time

SEARCHES = [
    ("no filter (best tier first)", {}),
    ("text 'growth'", {"q": "growth"}),
    ("text 'crm migration' + sort by rating", {"q": "crm migration", "sort": "rating"}),
    ("region + service", {"region": "emea", "service": "crm_implementation"}),
    ("country JP + language ja", {"country": "JP", "language": "ja"}),
    ("industry + tier", {"industry": "retail", "tier": "gold"}),
    ("accreditation", {"accreditation": "advanced-crm"}),
    ("sort by rating, page 5", {"sort": "rating", "page": 5}),
    ("sort by name, page 50", {"sort": "name", "page": 50}),
]
REGIONS = {
    "na": ["US", "CA"],
    "latam": ["MX", "BR", "CO", "AR"],
    "emea": ["GB", "DE", "FR", "NL", "ES"],
    "apac": ["AU", "SG", "IN", "KR"],
    "japan": ["JP"],
}
WORDS = ["Growth", "Digital", "Inbound", "Pixel", "Funnel", "Signal", "Spark", "Loop", "Ridge", "Wave", "Forge"]
DESCRIPTION = (
    "{name} helps {industry} companies with inbound marketing, CRM implementation and data migration. "
    "Our team of {people} consultants runs workshops, builds websites and integrations, trains sales teams "
    "and reports on revenue every month. Clients stay with us for years because we measure what matters."
)


def seed(partners: int, *, rng: random.Random) -> None:
    from django.utils import timezone

    from directory.models import SPOKEN_LANGUAGES, PartnerProfile, Review, ReviewInvitation, Service
    from enablement.models import Accreditation, PartnerAccreditation
    from portal.models import Industry, Partner, PartnerKind, Tier

    tiers = [Tier.SOLUTIONS_PARTNER] * 5 + [Tier.GOLD] * 3 + [Tier.PLATINUM] * 2 + [Tier.DIAMOND, Tier.ELITE]
    languages = [code for code, _name in SPOKEN_LANGUAGES]
    rows = []
    for i in range(partners):
        region = rng.choice(list(REGIONS))
        home = rng.choice(REGIONS[region])
        rows.append(
            Partner(
                partner_id=f"D{i:06d}",
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                kind=PartnerKind.PROVIDER if rng.random() < 0.05 else PartnerKind.SOLUTIONS_PARTNER,
                country=home,
                region=region,
                joined_on=dt.date(2020, 1, 1),
                tier=rng.choice(tiers),
                operating_countries=[home, *rng.sample(REGIONS[region], k=min(2, len(REGIONS[region])))],
                industries=rng.sample(Industry.values, k=rng.randint(1, 4)),
            )
        )
    created = Partner.objects.bulk_create(rows, batch_size=2000)
    now = timezone.now()
    profiles = [
        PartnerProfile(
            partner=p,
            slug=f"bench-{p.partner_id.lower()}",
            tagline=f"{rng.choice(WORDS)} for {rng.choice(Industry.labels).lower()}",
            description=DESCRIPTION.format(name=p.name, industry=p.industries[0], people=rng.randint(5, 200)),
            website=f"https://{p.partner_id.lower()}.example",
            services=rng.sample(Service.values, k=rng.randint(1, 5)),
            languages=["ja", "en"] if p.region == "japan" else ["en", *rng.sample(languages, k=rng.randint(0, 2))],
            listed=rng.random() >= 0.10,
            hidden_at=now if rng.random() < 0.01 else None,
        )
        for p in created
    ]
    PartnerProfile.objects.bulk_create(profiles, batch_size=2000)
    accreditations = Accreditation.objects.bulk_create(
        [Accreditation(code="advanced-crm", name="Advanced CRM"), Accreditation(code="migration", name="Migration")]
    )
    today = timezone.localdate()
    PartnerAccreditation.objects.bulk_create(
        [
            PartnerAccreditation(partner=p, accreditation=a, granted_on=today, next_review_on=today)
            for p in created
            if rng.random() < 0.10
            for a in accreditations
            if rng.random() < 0.7
        ],
        batch_size=2000,
    )
    _seed_reviews(created, rng=rng, now=now, Review=Review, ReviewInvitation=ReviewInvitation)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _seed_reviews(partners, *, rng, now, Review, ReviewInvitation) -> None:
    invitations, reviews = [], []
    n = 0
    for p in partners:
        if rng.random() >= 0.33:
            continue
        for _ in range(rng.randint(1, 8)):
            n += 1
            invitations.append(
                ReviewInvitation(
                    partner=p,
                    email=f"c{n}@client.example",
                    contact_name="Client",
                    customer_domain="client.example",
                    token_hash=f"{n:064x}",
                    created_at=now,
                    expires_at=now,
                    used_at=now,
                )
            )
    invitations = ReviewInvitation.objects.bulk_create(invitations, batch_size=5000)
    for inv in invitations:
        status = "published" if rng.random() < 0.8 else rng.choice(["pending", "rejected"])
        reviews.append(
            Review(
                partner_id=inv.partner_id,
                invitation=inv,
                reviewer_name="Client",
                reviewer_email=inv.email,
                customer_domain=inv.customer_domain,
                rating=rng.choice([3, 4, 4, 5, 5, 5]),
                title="Great partner",
                body="They did great work.",
                submitted_at=now - dt.timedelta(days=rng.randint(0, 700)),
                status=status,
            )
        )
    Review.objects.bulk_create(reviews, batch_size=5000)
    from directory.services import profile_ratings_refresh

    profile_ratings_refresh()


def _timed(client, url: str, params: dict, requests: int, *, bump: bool) -> list[float]:
    from directory.caching import directory_cache_bump

    client.get(url, params)  # warm up
    timings = []
    for _ in range(requests):
        if bump:
            directory_cache_bump()  # outside the timing: every timed request renders the page
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    return timings


def _figures(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {"p50": statistics.median(ordered), "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)]}


def child(partners: int, requests: int) -> dict:
    """Seed, then time every search (anonymous, uncached), one profile page and one cached search."""
    from django.test import Client
    from django.urls import reverse

    from directory.models import PartnerProfile

    seed(partners, rng=random.Random(14))
    client = Client()
    url = reverse("directory:search")
    results = {}
    for name, params in SEARCHES:
        results[f"search: {name}"] = _figures(_timed(client, url, params, requests, bump=True))
    results["search (htmx results partial): region + service"] = _figures(
        _timed(
            Client(headers={"HX-Request": "true"}),
            url,
            {"region": "emea", "service": "crm_implementation"},
            requests,
            bump=True,
        )
    )
    reviewed = PartnerProfile.objects.filter(listed=True, hidden_at__isnull=True, partner__reviews__status="published")
    slug = reviewed.values_list("slug", flat=True).first()
    results["profile page (with reviews)"] = _figures(
        _timed(client, reverse("directory:profile", args=[slug]), {}, requests, bump=True)
    )
    results["search, served by the Django cache"] = _figures(_timed(client, url, {"q": "growth"}, requests, bump=False))
    return results
