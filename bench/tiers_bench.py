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


def build_partners_and_rules() -> list[str]:
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
    services.rule_set_import(data=rules_doc(name="Bench points", effective_from="2020-01-01"))
    return [p.partner_id for p in partners]


def write_csv(path: Path, partner_ids: list[str]) -> int:
    """25 customers a partner; a lognormal partner size spreads partners over the tiers."""
    rng = random.Random(11)
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
                writer.writerow([partner_id, MONTH, domain, country, currency, sold, managed])
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
    rows = engine.compute_month(month=dt.date.fromisoformat(f"{MONTH}-01"), rule_set=RuleSet.objects.get())
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


def what_if() -> None:
    """The dashboard's rule-set what-if: a draft rule set over every partner for the month (a pure read)."""
    import datetime as dt

    from tiers import engine, services
    from tiers.tests.factories import POINTS_TIERS, rules_doc

    raised = {tier: {k: str(int(v) * 13 // 10) for k, v in values.items()} for tier, values in POINTS_TIERS.items()}
    draft = services.rule_set_import(
        data=rules_doc(name="Bench draft", effective_from="2025-07-01", tiers=raised), draft=True
    )
    rows = engine.compute_month(month=dt.date.fromisoformat(f"{MONTH}-01"), rule_set=draft)
    assert len(rows) == PARTNERS


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--import-child":
        import_in_child(sys.argv[2])
        return
    promoted_share = 1.0 if "--all-promoted" in sys.argv else 0.05
    url = scratch_database_url()
    setup_django(url)
    from django.core.management import call_command

    out = open(os.devnull, "w")  # noqa: SIM115
    partner_ids = build_partners_and_rules()
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
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    import_seconds, peak_mb = measured["seconds"], measured["rss_mb"]
    print(
        f"{'import_mrr (in the child process)':<38} {import_seconds:8.3f} s   ({wall:.3f} s with Python/Django start-up)"
    )
    set_starting_tiers(promoted_share=promoted_share)
    floor = floor_query()
    monthly = timed(f"run_monthly --month {MONTH}", lambda: call_command("run_monthly", "--month", MONTH, stdout=out))
    reassess = timed("reassess --on 2024-07-15", lambda: call_command("reassess", "--on", "2024-07-15", stdout=out))
    whatif = timed("what-if: compute_month, draft, all", what_if)
    from portal.models import JobRun
    from tiers.models import MonthlySnapshot

    counts = JobRun.objects.get(period=MONTH).counts
    print()
    print(f"import rate           {rows / import_seconds:10,.0f} rows/s   (target ≥ 50,000)")
    print(f"import peak RSS       {peak_mb:10.1f} MB       (target < 300; whole child process)")
    print(f"run_monthly / floor   {monthly / floor:10.2f} ×        (target ≤ 3; {counts['promoted']:,} promotions)")
    print(f"reassessment          {reassess:10.3f} s over {MonthlySnapshot.objects.count():,} snapshots")
    print(f"what-if (draft rules) {whatif:10.3f} s        (target ≤ 5 for 10,000 partners)")


if __name__ == "__main__":
    main()
