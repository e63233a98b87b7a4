"""Tier engine benchmark on PostgreSQL (issue 3): import, monthly run, reassessment vs a bare GROUP BY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/tiers_bench.py

Builds, in a scratch database `<db>_bench` (dropped and recreated), 10,000
partners × 25 customers = 250,000 MRR rows for one month, then times:

* `import_mrr` of that CSV, in a child process (timed inside it, after Django
  start-up; the child's own peak RSS, `VmHWM` of its memory map (`peak_rss_mb`: both
  `RUSAGE_CHILDREN` in the parent and `ru_maxrss` in the child count the parent's memory, issue #15);
* `run_monthly` for that month (the five months before are evaluated first,
  untimed, so that the reassessment has its six months);
* `reassess` on the 15th of the following month;
* the floor: one bare SQL `GROUP BY` computing the same points over the same rows;
* the dashboard's what-if: `engine.compute_month` with a draft rule set over all partners.

Partners start at the tier the month shows them, except 5% one step lower,
so the run promotes a realistic share; `--all-promoted` starts everyone at
solutions_partner (the worst case: every tiered partner promoted).

`--phase2`: the rule set in force also requires the four Phase 2 metrics (docs/rules.md) at
every tier: the month a year before is imported too (untimed, the base of customer revenue
retention), each partner gets certifications (about six people) and accreditations, and the
review rating comes from `directory`'s source when it is registered, else from a stand-in
source over a bench table of reviews (three a partner). The floor stays the points GROUP BY.

Targets: import ≥ 50,000 rows/s, import peak RSS < 300 MB, run_monthly ≤ 3× the floor.
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = 10_000
CUSTOMERS = 25
MONTH = "2024-06"
COUNTRY_CURRENCY = [
    ("US", "USD"),
    ("US", "USD"),
    ("GB", "GBP"),
    ("DE", "EUR"),
    ("JP", "JPY"),
    ("AU", "AUD"),
    ("CA", "CAD"),
    ("SG", "SGD"),
    ("ZA", "ZAR"),
    ("CO", "COP"),
    ("BR", "BRL"),
    ("IN", "INR"),
    ("MX", "MXN"),
]


def scratch_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("DATABASE_URL must point to PostgreSQL (postgres://…)")
    bench_db = parts.path.lstrip("/") + "_bench"
    import psycopg

    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}"')
        conn.execute(f'CREATE DATABASE "{bench_db}"')
    return urlunsplit(parts._replace(path="/" + bench_db))


def setup_django(url: str, *, migrate: bool = True) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)


PHASE2_TIERS = {
    "gold": {"customer_revenue_retention": "60", "review_rating": "3", "certified_people": "2", "accreditations": "0"},
    "platinum": {
        "customer_revenue_retention": "70",
        "review_rating": "3.5",
        "certified_people": "4",
        "accreditations": "1",
    },
    "diamond": {
        "customer_revenue_retention": "80",
        "review_rating": "4",
        "certified_people": "6",
        "accreditations": "1",
    },
    "elite": {
        "customer_revenue_retention": "90",
        "review_rating": "4.5",
        "certified_people": "8",
        "accreditations": "2",
    },
}
YEAR_BEFORE = "2023-06"


def build_partners_and_rules(*, phase2: bool = False) -> list[str]:
    from portal.models import Partner
    from tiers import services
    from tiers.importers import region_for_country
    from tiers.tests.factories import rules_doc

    rng = random.Random(7)
    partners = []
    for index in range(PARTNERS):
        country = rng.choice(COUNTRY_CURRENCY)[0]
        partners.append(
            Partner(
                partner_id=f"B{index:05d}",
                name=f"Bench {index}",
                country=country,
                region=region_for_country(country),
                joined_on="2020-01-01",
            )
        )
    Partner.objects.bulk_create(partners, batch_size=2000)
    tiers = None
    if phase2:
        from tiers.tests.factories import POINTS_TIERS

        tiers = {tier: {**POINTS_TIERS[tier], **PHASE2_TIERS[tier]} for tier in POINTS_TIERS}
    services.rule_set_import(data=rules_doc(name="Bench points", effective_from="2020-01-01", tiers=tiers))
    return [p.partner_id for p in partners]


def build_phase2_sources(path: Path, partner_ids: list[str]) -> None:
    """Untimed: the month a year before (retention's base), certifications, accreditations, reviews."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from enablement.models import Accreditation, Certification, PartnerAccreditation
    from portal.models import Partner
    from tiers import metric_sources
    from tiers.models import Metric

    write_csv(path, partner_ids, month=YEAR_BEFORE, seed=13)
    call_command("import_mrr", str(path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    rng = random.Random(17)
    pks = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
    certifications = []
    for pk in pks:
        for person in range(rng.randint(0, 12)):
            issued = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1300))
            certifications.append(
                Certification(
                    partner_id=pk,
                    holder_name=f"Person {person}",
                    holder_email=f"p{person}@{pk}.example" if rng.random() < 0.8 else "",
                    name=rng.choice(["Sales", "Service", "Platform"]),
                    issued_on=issued,
                    expires_on=issued + dt.timedelta(days=730) if rng.random() < 0.7 else None,
                )
            )
    Certification.objects.bulk_create(certifications, batch_size=5000)
    accreditations = Accreditation.objects.bulk_create(
        [Accreditation(code=f"bench-{n}", name=f"Bench accreditation {n}") for n in range(4)]
    )
    holdings = [
        PartnerAccreditation(
            partner_id=pk,
            accreditation=accreditation,
            status=rng.choice(["active", "active", "active", "review_board", "lapsed"]),
            granted_on=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 600)),
            next_review_on=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 400)),
        )
        for pk in pks
        for accreditation in accreditations
        if rng.random() < 0.3
    ]
    PartnerAccreditation.objects.bulk_create(holdings, batch_size=5000)
    if metric_sources.metric_source_for(Metric.REVIEW_RATING) is None:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_reviews (partner_id bigint, rating smallint, published_on date)")
            cursor.execute(
                "INSERT INTO bench_reviews SELECT id, 1 + (random() * 4)::int, DATE '2023-07-01' + (random() * 360)::int "
                "FROM portal_partner, generate_series(1, 3)"
            )
            cursor.execute("CREATE INDEX ON bench_reviews (published_on)")
            cursor.execute("ANALYZE bench_reviews")

        @metric_sources.metric_source(Metric.REVIEW_RATING)
        def bench_rating(month: dt.date) -> tuple[str, list[object]]:
            from portal.months import add_months, month_end

            return (
                "SELECT partner_id, AVG(rating) AS value FROM bench_reviews "
                "WHERE published_on > %s AND published_on <= %s GROUP BY partner_id",
                [month_end(add_months(month, -12)), month_end(month)],
            )

        print("review rating: a stand-in source over bench_reviews (directory's source is not registered)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def write_csv(path: Path, partner_ids: list[str], *, month: str = MONTH, seed: int = 11) -> int:
    """25 customers a partner; a lognormal partner size spreads partners over the tiers."""
    rng = random.Random(seed)
    rows = 0
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["partner_id", "month", "customer_domain", "customer_country", "currency", "sold_mrr", "managed_mrr"]
        )
        for partner_id in partner_ids:
            size = 0.08 * rng.lognormvariate(0, 1.2)
            for customer in range(CUSTOMERS):
                country, currency = rng.choice(COUNTRY_CURRENCY)
                scale = size * (100 if currency in {"JPY", "COP", "INR", "ZAR"} else 1)
                sold = round(rng.choice([0, rng.randint(50, 5000)]) * scale, 2)
                managed = round(rng.randint(0, 8000) * scale, 2)
                domain = f"c{customer}-{partner_id.lower()}.example.com"
                writer.writerow([partner_id, month, domain, country, currency, sold, managed])
                rows += 1
    return rows


def set_starting_tiers(*, promoted_share: float) -> None:
    """Untimed set-up, like an import_partners file with a tier column: partners start at the
    tier the month will show, except `promoted_share` of the tiered ones, one step lower."""
    import datetime as dt

    from portal.models import Partner, Tier
    from tiers import engine
    from tiers.models import RuleSet

    rng = random.Random(5)
    rule_set = RuleSet.objects.get(name="Bench points")
    rows = engine.compute_month(month=dt.date.fromisoformat(f"{MONTH}-01"), rule_set=rule_set)
    groups: dict[str, list[int]] = {}
    for row in rows:
        rank = Tier.values.index(row.achieved_tier)
        if rank and rng.random() < promoted_share:
            rank -= 1
        groups.setdefault(Tier.values[rank], []).append(row.partner_id)
    for tier, ids in groups.items():
        Partner.objects.filter(pk__in=ids).update(tier=tier)


def import_in_child(path: str) -> None:
    """Child process: Django is set up first, then only the import command is timed."""
    setup_django(os.environ["DATABASE_URL"], migrate=False)
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("import_mrr", path, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own peak RSS: the high-water mark of its memory map (`VmHWM`, Linux).

    Not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux carries the maximum across `execve` (the
    exec records the replaced memory map's peak, which in a freshly spawned child is the
    parent's), so a child started by a 300 MB parent reported 310 MB while its own peak was
    9 MB. The bench's parent holds the floor's rows and grows with the partners: that was the
    "peak RSS growing with partners" of earlier rounds.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # other systems: an upper bound


def timed(label: str, function) -> float:
    start = time.perf_counter()
    function()
    elapsed = time.perf_counter() - start
    print(f"{label:<38} {elapsed:8.3f} s")
    return elapsed


FLOOR_SQL = """
SELECT m.partner_id,
       SUM(m.sold_mrr * c.sales * CASE WHEN e.id IS NULL THEN 1 ELSE r.emerging_market_multiplier END),
       SUM(m.managed_mrr * c.managed * CASE WHEN e.id IS NULL THEN 1 ELSE r.emerging_market_multiplier END)
FROM tiers_customermrr m
JOIN tiers_ruleset r ON r.id = %s
JOIN tiers_currencycoefficient c ON c.rule_set_id = r.id AND c.currency = m.currency
LEFT JOIN tiers_emergingmarket e ON e.country = m.customer_country AND e.active
WHERE m.month = %s
GROUP BY m.partner_id
"""


def floor_query() -> float:
    from django.db import connection

    from tiers.models import RuleSet

    rule_set = RuleSet.objects.get(name="Bench points")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [rule_set.pk, f"{MONTH}-01"])
            rows = cursor.fetchall()
        best = min(best, time.perf_counter() - start)
    assert len(rows) == PARTNERS, len(rows)
    print(f"{'floor: bare SQL GROUP BY (best of 3)':<38} {best:8.3f} s")
    return best


# The least SQL that measures retention: last year's month joined to this month's rows per customer,
# summed per partner (docs/rules.md). With FLOOR_SQL it is the floor of a run that measures Phase 2.
RETENTION_FLOOR_SQL = """
SELECT b.partner_id, SUM((b.sold_mrr + b.managed_mrr) * cb.sales),
       SUM(LEAST(COALESCE((n.sold_mrr + n.managed_mrr) * cn.sales, 0), (b.sold_mrr + b.managed_mrr) * cb.sales))
FROM tiers_customermrr b
JOIN tiers_currencycoefficient cb ON cb.rule_set_id = %s AND cb.currency = b.currency
LEFT JOIN tiers_customermrr n ON n.month = %s AND n.partner_id = b.partner_id AND n.customer_domain = b.customer_domain
LEFT JOIN tiers_currencycoefficient cn ON cn.rule_set_id = %s AND cn.currency = n.currency
WHERE b.month = %s
GROUP BY b.partner_id
"""


def retention_floor_query() -> float:
    from django.db import connection

    from tiers.models import RuleSet

    rule_set = RuleSet.objects.get(name="Bench points")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(RETENTION_FLOOR_SQL, [rule_set.pk, f"{MONTH}-01", rule_set.pk, f"{YEAR_BEFORE}-01"])
            cursor.fetchall()
        best = min(best, time.perf_counter() - start)
    print(f"{'floor: bare retention join (best of 3)':<38} {best:8.3f} s")
    return best


def what_if(*, phase2: bool = False) -> None:
    """The dashboard's rule-set what-if: a draft rule set over every partner for the month (a pure read).

    With `phase2` the draft requires the Phase 2 metrics too, and the page's requirement effects are read.
    """
    import datetime as dt

    from tiers import engine, services
    from tiers.tests.factories import POINTS_TIERS, rules_doc

    raised = {tier: {k: str(int(v) * 13 // 10) for k, v in values.items()} for tier, values in POINTS_TIERS.items()}
    if phase2:
        raised = {tier: {**values, **PHASE2_TIERS[tier]} for tier, values in raised.items()}
    draft = services.rule_set_import(
        data=rules_doc(name="Bench draft", effective_from="2025-07-01", tiers=raised), draft=True
    )
    month = dt.date.fromisoformat(f"{MONTH}-01")
    rows = engine.compute_month(month=month, rule_set=draft)
    assert len(rows) == PARTNERS
    if phase2:
        assert engine.requirement_effects(month=month, rule_set=draft)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--import-child":
        import_in_child(sys.argv[2])
        return
    promoted_share = 1.0 if "--all-promoted" in sys.argv else 0.05
    phase2 = "--phase2" in sys.argv
    url = scratch_database_url()
    setup_django(url)
    from django.core.management import call_command

    out = open(os.devnull, "w")  # noqa: SIM115
    partner_ids = build_partners_and_rules(phase2=phase2)
    for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
        call_command("run_monthly", "--month", month, stdout=out)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "mrr.csv"
        rows = write_csv(path, partner_ids)
        size_mb = path.stat().st_size / 1e6
        print(f"PostgreSQL bench: {PARTNERS} partners × {CUSTOMERS} customers = {rows} rows ({size_mb:.1f} MB CSV)")
        command = [sys.executable, __file__, "--import-child", str(path)]
        start = time.perf_counter()
        child = subprocess.run(
            command, env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        if phase2:
            build_phase2_sources(Path(directory) / "year-before.csv", partner_ids)
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    import_seconds, peak_mb = measured["seconds"], measured["rss_mb"]
    print(
        f"{'import_mrr (in the child process)':<38} {import_seconds:8.3f} s   ({wall:.3f} s with Python/Django start-up)"
    )
    set_starting_tiers(promoted_share=promoted_share)
    floor = floor_query()
    retention_floor = retention_floor_query() if phase2 else 0.0
    monthly = timed(f"run_monthly --month {MONTH}", lambda: call_command("run_monthly", "--month", MONTH, stdout=out))
    reassess = timed("reassess --on 2024-07-15", lambda: call_command("reassess", "--on", "2024-07-15", stdout=out))
    whatif = timed("what-if: compute_month, draft, all", lambda: what_if(phase2=phase2))
    from portal.models import JobRun
    from tiers.models import MonthlySnapshot

    counts = JobRun.objects.get(period=MONTH).counts
    print()
    print(f"import rate           {rows / import_seconds:10,.0f} rows/s   (target ≥ 50,000)")
    print(f"import peak RSS       {peak_mb:10.1f} MB       (target < 300; whole child process)")
    print(f"run_monthly / floor   {monthly / floor:10.2f} ×        (target ≤ 3; {counts['promoted']:,} promotions)")
    if phase2:
        both = floor + retention_floor
        print(f"run_monthly / (floor + retention floor) {monthly / both:6.2f} ×")
        judged = MonthlySnapshot.objects.filter(month=f"{MONTH}-01")
        print(
            f"phase 2 values        {judged.filter(customer_revenue_retention__isnull=False).count():,} retention, "
            f"{judged.filter(certified_people__gt=0).count():,} with certified people, "
            f"{judged.exclude(achieved_tier='solutions_partner').count():,} tiered"
        )
    print(f"reassessment          {reassess:10.3f} s over {MonthlySnapshot.objects.count():,} snapshots")
    print(f"what-if (draft rules) {whatif:10.3f} s        (target ≤ 5 for 10,000 partners)")


if __name__ == "__main__":
    main()
