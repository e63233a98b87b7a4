"""Benchmark: tier dashboard, breakdown, CAM book and what-if on 10,000 partners (PostgreSQL).

Creates (drops and recreates) a dedicated PostgreSQL database, migrates it and
loads with COPY: 10,000 partners (10% providers) in 25 CAM books, 24 monthly
snapshots each, and 3 months of customer MRR (5–60 customers a partner; the
measured partner has 200). Then times, in-process with Django's test client
(server time: request in → response out, no network), 200 sequential requests
each to the partner dashboard, a breakdown page (htmx partial, filtered, page 2)
and a CAM book page (htmx, sorted by points), and the what-if of a draft rule
set over all partners for the last month.

Targets (issue 4): p95 ≤ 150 ms per page; what-if ≤ 5 s. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/dashboard_bench.py [--partners 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_dashboard"
D = Decimal
THRESHOLDS = {  # tier → (points, minimum sales points)
    "gold": (D(1000), D(200)),
    "platinum": (D(4000), D(800)),
    "diamond": (D(12000), D(2500)),
    "elite": (D(40000), D(8000)),
}
DRAFT = {tier: (points * D("1.3"), sales * D("1.3")) for tier, (points, sales) in THRESHOLDS.items()}
COEFFICIENTS = {
    "USD": (D("0.03"), D("0.01")),
    "EUR": (D(3) / D(75), D(1) / D(75)),
    "JPY": (D(3) / D(12000), D(1) / D(12000)),
    "GBP": (D(3) / D("62.5"), D(1) / D("62.5")),
    "AUD": (D(3) / D(105), D(1) / D(105)),
}
RATE = {"USD": 1, "EUR": 0.75, "JPY": 120, "GBP": 0.625, "AUD": 1.05}  # units per USD
COUNTRIES = ["US", "US", "GB", "DE", "JP", "AU", "BR", "IN", "SG", "MX", "FR", "CA"]
CURRENCY = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "JP": "JPY", "AU": "AUD", "CA": "USD"}


def recreate_database(base_url: str) -> str:
    import psycopg

    head = base_url.rpartition("/")[0]
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return f"{head}/{BENCH_DB}"


def achieved(points: Decimal, sales: Decimal) -> str:
    for tier in ("elite", "diamond", "platinum", "gold"):
        need_points, need_sales = THRESHOLDS[tier]
        if points >= need_points and sales >= need_sales:
            return tier
    return "solutions_partner"


def seed(partner_count: int, last_month: dt.date, *, cams: int = 25, first_customers: int = 200) -> dict:
    """Rule sets, people, partners (bulk), snapshots and MRR (COPY). Returns what the timings need."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from portal.models import JobRun, Partner, Role, User
    from portal.months import add_months
    from tiers.models import CurrencyCoefficient, RuleSet, TierRequirement

    call_command("migrate", verbosity=0)
    rng = random.Random(2022)
    now = timezone.now()
    rule_sets = {}
    for name, status, effective, thresholds in (
        ("Points FY2022", "published", dt.date(2022, 7, 16), THRESHOLDS),
        ("Points FY2027 draft", "draft", dt.date(2027, 7, 16), DRAFT),
    ):
        rule_set = RuleSet.objects.create(
            name=name,
            framework="points",
            effective_from=effective,
            status=status,
            emerging_market_multiplier=D(2),
            published_at=now if status == "published" else None,
        )
        CurrencyCoefficient.objects.bulk_create(
            CurrencyCoefficient(rule_set=rule_set, currency=c, sales=s, managed=m) for c, (s, m) in COEFFICIENTS.items()
        )
        TierRequirement.objects.bulk_create(
            TierRequirement(rule_set=rule_set, tier=tier, metric=metric, threshold=value)
            for tier, (points, sales) in thresholds.items()
            for metric, value in (("points", points), ("min_sales_points", sales))
        )
        rule_sets[status] = rule_set
    cams = User.objects.bulk_create(
        [User(email=f"cam{i:02d}@bench.test", role=Role.CAM, password="!") for i in range(cams)]
    )
    partners = []
    for i in range(partner_count):
        country = rng.choice(COUNTRIES)
        partners.append(
            Partner(
                partner_id=f"B{i:05d}",
                name=f"Bench Agency {i:05d}",
                kind="provider" if rng.random() < 0.1 and i else "solutions_partner",
                country=country,
                region="na",
                joined_on=dt.date(2019, 1, 1),
                cam=cams[i % len(cams)],
            )
        )
    partners = Partner.objects.bulk_create(partners, batch_size=2000)
    runs = {
        add_months(last_month, -i): JobRun.objects.create(
            job="monthly_evaluation", period=f"{add_months(last_month, -i):%Y-%m}", outcome="done", started_at=now
        )
        for i in range(24)
    }
    _copy_history(connection, rng, partners, runs, rule_sets["published"], last_month, first_customers)
    user = User.objects.create_user("partner@bench.test", None, role=Role.PARTNER_ADMIN, partner=partners[0])
    return {"partner_user": user, "cam": cams[0], "draft": rule_sets["draft"], "partner": partners[0]}


def _copy_history(connection, rng, partners, runs, rule_set, last_month, first_customers=200) -> None:
    """COPY 24 snapshots a partner and 3 months of customer MRR; set each partner's tier from its last month."""
    from portal.models import Partner
    from portal.months import add_months

    connection.ensure_connection()
    raw = connection.connection
    tiers: dict[int, str] = {}
    with raw.cursor() as cursor:
        snapshot_columns = (
            "partner_id, month, rule_set_id, sales_points, managed_points, points, sold_mrr_usd, "
            "managed_mrr_usd, customer_count, achieved_tier, run_id"
        )
        with cursor.copy(f"COPY tiers_monthlysnapshot ({snapshot_columns}) FROM STDIN") as copy:
            for partner in partners:
                if partner.kind == "provider":
                    continue
                size = rng.lognormvariate(6.6, 1.1)
                growth = rng.uniform(-0.01, 0.04)
                for i, month in enumerate(sorted(runs)):
                    total = D(size * (1 + growth) ** i * rng.uniform(0.9, 1.1)).quantize(D("0.0001"))
                    sales = (total * D(rng.uniform(0.2, 0.6))).quantize(D("0.0001"))
                    managed = total - sales
                    tier = achieved(total, sales)
                    copy.write_row(
                        (
                            partner.pk,
                            month,
                            rule_set.pk,
                            sales,
                            managed,
                            total,
                            sales / D("0.03"),
                            managed / D("0.01"),
                            30,
                            tier,
                            runs[month].pk,
                        )
                    )
                tiers[partner.pk] = tier
        mrr_columns = "partner_id, month, customer_domain, customer_country, currency, sold_mrr, managed_mrr"
        with cursor.copy(f"COPY tiers_customermrr ({mrr_columns}) FROM STDIN") as copy:
            for index, partner in enumerate(partners):
                if partner.kind == "provider":
                    continue
                customers = first_customers if index == 0 else rng.randint(5, 60)
                for c in range(customers):
                    country = rng.choice(COUNTRIES)
                    currency = CURRENCY.get(country, "USD")
                    usd = rng.lognormvariate(6.5, 1.0)
                    for m in range(3):
                        sold = D(usd * RATE[currency] * rng.uniform(0, 1.2)).quantize(D("0.01"))
                        managed = D(usd * RATE[currency] * rng.uniform(0.5, 2)).quantize(D("0.01"))
                        copy.write_row(
                            (
                                partner.pk,
                                add_months(last_month, -m),
                                f"c{c}.p{partner.pk}.example",
                                country,
                                currency,
                                sold,
                                managed,
                            )
                        )
    raw.commit()
    for tier in ("gold", "platinum", "diamond", "elite"):
        Partner.objects.filter(pk__in=[pk for pk, t in tiers.items() if t == tier]).update(
            tier=tier, tier_since=dt.date(2025, 7, 15)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_requests(client, url: str, params: dict, count: int, **headers) -> list[float]:
    client.get(url, params, **headers)  # warm up: templates, connection
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url, params, **headers)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def report(name: str, timings: list[float]) -> bool:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    ok = p95 <= 150
    print(
        f"{name:<34} n={len(ordered):<4} p50={p50:7.1f} ms  p95={p95:7.1f} ms  max={ordered[-1]:7.1f} ms  {'OK' if ok else 'SLOW'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("DATABASE_URL must point at PostgreSQL (any database; the bench creates its own)", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = recreate_database(base)
    os.environ["DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)  # sessions/cache in process: time the pages, not Redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from portal.months import add_months
    from tiers.whatif import what_if

    last_month = add_months(timezone.localdate().replace(day=1), -1)
    start = time.perf_counter()
    data = seed(args.partners, last_month)
    print(f"seeded {args.partners} partners in {time.perf_counter() - start:.1f} s (month {last_month:%Y-%m})")

    partner_client, cam_client = Client(), Client()
    partner_client.force_login(data["partner_user"], backend="django.contrib.auth.backends.ModelBackend")
    cam_client.force_login(data["cam"], backend="django.contrib.auth.backends.ModelBackend")
    htmx = {"HTTP_HX_REQUEST": "true"}
    results = [
        report("dashboard (full page)", time_requests(partner_client, reverse("tiers:dashboard"), {}, args.requests)),
        report(
            "breakdown (htmx, filtered, page 2)",
            time_requests(
                partner_client,
                reverse("tiers:breakdown"),
                {"em": "no", "sort": "-sold", "page": 2},
                args.requests,
                **htmx,
            ),
        ),
        report(
            "CAM book (htmx, sort by points)",
            time_requests(cam_client, reverse("tiers:book"), {"sort": "-points"}, args.requests, **htmx),
        ),
        report("CAM book (full page)", time_requests(cam_client, reverse("tiers:book"), {}, args.requests)),
    ]
    start = time.perf_counter()
    result = what_if(rule_set=data["draft"], month=last_month)
    elapsed = time.perf_counter() - start
    print(
        f"what-if over {result.partner_count} partners: {elapsed:.2f} s "
        f"({result.up_count} up, {result.down_count} down)  {'OK' if elapsed <= 5 else 'SLOW'}"
    )
    return 0 if all(results) and elapsed <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
