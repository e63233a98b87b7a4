"""Every benchmark of issue #15 at one chosen scale, one table: each figure next to its target and the floor.

    make bench                                  # 10,000 partners
    make bench BENCH_ARGS="--partners 100000"
    DATABASE_URL=postgres://…/<db> .venv/bin/python bench/run.py --partners N [--only import,run,whatif,pages]

Scratch databases are derived from DATABASE_URL and dropped and recreated:
`<db>_bench` (N partners × 25 customers of MRR for one month, imported by
`import_mrr`, then evaluated) and `<db>_bench_pages` (the pages' data set, at
min(N, 10,000) partners: the page targets are set at 10,000 partners).

Each measured job runs in its own child process, which times itself after Django
start-up and reports its own peak RSS (`VmHWM` of its own memory map, see
`peak_rss_mb`), so the parent's memory never counts. The floor is the best of three runs of one `GROUP BY`
computing every partner's points over a plain, analysed table holding the same
month's rows, with the coefficients and emerging markets joined in.

Figures (targets from issue #15):
* import: `import_mrr` rows/s (≥ 300,000), its peak RSS, WAL bytes per row
  (`pg_current_wal_lsn()` before and after, in the child);
* run: `run_monthly` seconds as a multiple of the floor (≤ 2×), its peak RSS (≤ 150 MB);
* whatif: the staff what-if page function over every partner (≤ 1 s at 10k, ≤ 5 s at 100k);
* pages: p95 server time, in-process, of the dashboard (2,000 customers), breakdown, CAM
  book (2,000 partners), approval queue (5,000 pending) and registrations (10,000 rows)
  (≤ 50 ms); the admin MRR changelist and its search over the `<db>_bench` rows (≤ 300 ms).
* directory: p95 server time, in-process and uncached, of the public directory search for typical
  filters, and of a profile page, at min(N, 10,000) partners in `<db>_bench_directory` (≤ 100 ms;
  bench/directory_bench.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import dashboard_bench, directory_bench, tiers_bench  # noqa: E402

MONTH = tiers_bench.MONTH
CUSTOMERS = tiers_bench.CUSTOMERS
PARTS = ("import", "run", "whatif", "pages", "directory")
PAGE_PARTNERS = 10_000
BOOK_PARTNERS = 2_000
QUEUE_PENDING = 5_000
REGISTRATION_ROWS = 10_000


# --- databases and Django ------------------------------------------------------------


def scratch_url(base: str, suffix: str) -> str:
    """`<db><suffix>` on the same server, dropped and recreated."""
    import psycopg

    parts = urlsplit(base)
    name = parts.path.lstrip("/") + suffix
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)  # sessions and cache in process: time the portal, not Redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


peak_rss_mb = tiers_bench.peak_rss_mb  # VmHWM: the child's own peak, not the parent's (see there)


def run_child(kind: str, url: str, **arguments: object) -> dict:
    """Run one measurement in a fresh interpreter; its last stdout line is a JSON object."""
    command = [sys.executable, __file__, "--child", kind, "--child-args", json.dumps(arguments)]
    child = subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stdout + child.stderr)
        raise SystemExit(f"the {kind} child failed (exit {child.returncode})")
    return json.loads(child.stdout.strip().splitlines()[-1])


# --- the tier data set ------------------------------------------------------------------


def build_partners_and_rules(count: int) -> list[str]:
    from portal.models import Partner
    from tiers import services
    from tiers.importers import region_for_country
    from tiers.tests.factories import rules_doc

    rng = random.Random(7)
    partners = []
    for index in range(count):
        country = rng.choice(tiers_bench.COUNTRY_CURRENCY)[0]
        partners.append(
            Partner(
                partner_id=f"B{index:06d}",
                name=f"Bench {index}",
                country=country,
                region=region_for_country(country),
                joined_on="2020-01-01",
            )
        )
    Partner.objects.bulk_create(partners, batch_size=5000)
    services.rule_set_import(data=rules_doc(name="Bench points", effective_from="2020-01-01"))
    return [p.partner_id for p in partners]


def floor(partners: int) -> tuple[float, list[tuple]]:
    """Best of three: the bare GROUP BY over a plain, analysed copy of the month's rows."""
    from django.db import connection

    from tiers.models import RuleSet

    rule_set = RuleSet.objects.get(name="Bench points")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_mrr")
        cursor.execute(
            "CREATE TABLE bench_floor_mrr AS SELECT * FROM tiers_customermrr WHERE month = %s", [MONTH + "-01"]
        )
        cursor.execute("ANALYZE bench_floor_mrr")
    sql = tiers_bench.FLOOR_SQL.replace("tiers_customermrr", "bench_floor_mrr")
    best, rows = float("inf"), []
    for _ in range(3):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [rule_set.pk, MONTH + "-01"])
            rows = cursor.fetchall()
        best = min(best, time.perf_counter() - start)
    assert len(rows) == partners, (len(rows), partners)
    return best, rows


def set_starting_tiers(rows: list[tuple], *, promoted_share: float = 0.05) -> None:
    """Partners start at the tier the floor's points give them, 5 % of the tiered ones a step lower
    (so the run promotes a realistic share). Thresholds as `tiers.tests.factories.POINTS_TIERS`."""
    from portal.models import Partner, Tier
    from tiers.tests.factories import POINTS_TIERS

    ladder = [Tier.SOLUTIONS_PARTNER, *Tier.ladder()]
    rng = random.Random(5)
    groups: dict[str, list[int]] = {}
    for partner_pk, sales, managed in rows:
        rank = 0
        for index, tier in enumerate(ladder[1:], start=1):
            need = POINTS_TIERS[tier]
            if sales + managed >= Decimal(need["points"]) and sales >= Decimal(need["min_sales_points"]):
                rank = index
        if rank and rng.random() < promoted_share:
            rank -= 1
        groups.setdefault(ladder[rank], []).append(partner_pk)
    for tier, ids in groups.items():
        Partner.objects.filter(pk__in=ids).update(tier=tier)


def draft_rule_set() -> int:
    from tiers import services
    from tiers.tests.factories import POINTS_TIERS, rules_doc

    raised = {tier: {k: str(int(v) * 13 // 10) for k, v in values.items()} for tier, values in POINTS_TIERS.items()}
    draft = services.rule_set_import(
        data=rules_doc(name="Bench draft", effective_from="2025-07-01", tiers=raised), draft=True
    )
    return draft.pk


# --- children -------------------------------------------------------------------------------


def child_import(path: str) -> dict:
    from django.core.management import call_command
    from django.db import connection

    def lsn() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            return cursor.fetchone()[0]

    from tiers import importers

    checked = []  # a file the fast path gave up on is checked row by row: say so, it is 5× slower
    row_by_row = importers.mrr_load
    importers.mrr_load = lambda *args, **kwargs: checked.append(1) or row_by_row(*args, **kwargs)
    before = lsn()
    start = time.perf_counter()
    call_command("import_mrr", path, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seconds = time.perf_counter() - start
    after = lsn()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(%s, %s)", [after, before])
        wal = int(cursor.fetchone()[0])
    return {"seconds": seconds, "wal_bytes": wal, "rss_mb": peak_rss_mb(), "row_by_row": bool(checked)}


def child_run() -> dict:
    from django.core.management import call_command
    from django.db import connection

    connection.ensure_connection()
    baseline = peak_rss_mb()  # Django, the apps and a connection: what every management command starts with
    start = time.perf_counter()
    call_command("run_monthly", "--month", MONTH, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return {"seconds": time.perf_counter() - start, "rss_mb": peak_rss_mb(), "setup_rss_mb": baseline}


def child_whatif(rule_set: int) -> dict:
    from tiers.models import RuleSet
    from tiers.whatif import what_if

    draft = RuleSet.objects.get(pk=rule_set)
    start = time.perf_counter()
    result = what_if(rule_set=draft, month=dt.date.fromisoformat(MONTH + "-01"))
    return {"seconds": time.perf_counter() - start, "partners": result.partner_count, "rss_mb": peak_rss_mb()}


def settle_heap() -> None:
    """What the WSGI entry point does after start-up (portal/wsgi.py): the set-up's objects leave the collector."""
    gc.collect()
    gc.freeze()


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def timed_get(client, url: str, params: dict, count: int, **headers) -> dict:
    timings = dashboard_bench.time_requests(client, url, params, count, **headers)
    return {"p50": statistics.median(timings), "p95": p95(timings)}


def child_admin(requests: int, partners: int) -> dict:
    """The admin's MRR changelist, its filters and searches, as a superuser (server time)."""
    from django.test import Client

    from portal.models import Role, User

    admin = User.objects.filter(email="admin@bench.test").first() or User.objects.create_superuser(
        "admin@bench.test", "bench-password", role=Role.STAFF
    )
    client = Client()
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    url = "/admin/tiers/customermrr/"
    settle_heap()
    some = f"B{partners // 2:06d}"
    return {
        "admin MRR list": timed_get(client, url, {}, requests),
        "admin MRR list, month + currency filter": timed_get(
            client, url, {"month": MONTH + "-01", "currency": "EUR"}, requests
        ),
        "admin MRR search (partner id)": timed_get(client, url, {"q": some}, requests),
        "admin MRR search (partner name prefix)": timed_get(client, url, {"q": f"Bench {partners // 3}"}, requests),
    }


def child_pages(partners: int, requests: int) -> dict:
    """Seed the pages' data set (dashboard_bench's, plus registrations) and time every page."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from portal.months import add_months

    last_month = add_months(timezone.localdate().replace(day=1), -1)
    cams = max(1, partners // BOOK_PARTNERS)
    data = dashboard_bench.seed(partners, last_month, cams=cams, first_customers=2000)
    seed_registrations(data)
    partner_client, cam_client = Client(), Client()
    partner_client.force_login(data["partner_user"], backend="django.contrib.auth.backends.ModelBackend")
    cam_client.force_login(data["cam"], backend="django.contrib.auth.backends.ModelBackend")
    htmx = {"HTTP_HX_REQUEST": "true"}
    settle_heap()
    return {
        "dashboard (2,000 customers)": timed_get(partner_client, reverse("tiers:dashboard"), {}, requests),
        "breakdown (htmx, filtered, page 2)": timed_get(
            partner_client, reverse("tiers:breakdown"), {"em": "no", "sort": "-sold", "page": 2}, requests, **htmx
        ),
        f"CAM book ({partners // cams:,} partners, htmx)": timed_get(
            cam_client, reverse("tiers:book"), {"sort": "-points"}, requests, **htmx
        ),
        "CAM book (full page)": timed_get(cam_client, reverse("tiers:book"), {}, requests),
        f"approval queue ({QUEUE_PENDING:,} pending)": timed_get(
            cam_client, reverse("registrations:queue"), {}, requests
        ),
        f"registrations ({REGISTRATION_ROWS:,} rows)": timed_get(
            partner_client, reverse("registrations:capacity"), {}, requests
        ),
    }


def seed_registrations(data: dict) -> None:
    """10,000 registrations of the measured partner (decided ones: its cap stays free) and 5,000
    pending ones across the rest of the CAM's book."""
    from django.utils import timezone

    from portal.models import Partner
    from registrations.models import DomainRegistration, RegistrationStatus

    now = timezone.now()
    partner, cam = data["partner"], data["cam"]
    decided = [RegistrationStatus.RELEASED, RegistrationStatus.EXPIRED, RegistrationStatus.REJECTED]
    rows = [
        DomainRegistration(
            partner=partner,
            domain=f"prospect{i}.example.org",
            company_name=f"Prospect {i}",
            country="US",
            status=decided[i % 3],
            submitted_at=now - dt.timedelta(minutes=i),
            decided_at=now,
        )
        for i in range(REGISTRATION_ROWS)
    ]
    book = list(Partner.objects.filter(cam=cam).exclude(pk=partner.pk).values_list("pk", flat=True))
    rows += [
        DomainRegistration(
            partner_id=book[i % len(book)],
            domain=f"pending{i}.example.net",
            company_name=f"Pending {i}",
            country="GB",
            status=RegistrationStatus.PENDING,
            submitted_at=now - dt.timedelta(minutes=i),
        )
        for i in range(QUEUE_PENDING)
    ]
    DomainRegistration.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def child_main(kind: str, arguments: dict) -> None:
    setup_django(os.environ["DATABASE_URL"])
    if kind in ("pages", "directory"):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # dashboard_bench.seed migrates too; harmless
    result = {
        "import": lambda: child_import(**arguments),
        "run": lambda: child_run(**arguments),
        "whatif": lambda: child_whatif(**arguments),
        "admin": lambda: child_admin(**arguments),
        "pages": lambda: child_pages(**arguments),
        "directory": lambda: directory_bench.child(**arguments),
    }[kind]()
    print(json.dumps(result))


# --- the table ---------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, figure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        self.rows.append((figure, value, target, verdict))

    def print(self, title: str) -> None:
        widths = [max(len(row[i]) for row in [("figure", "value", "target", ""), *self.rows]) for i in range(4)]
        print()
        print(title)
        print(f"| {'figure':<{widths[0]}} | {'value':>{widths[1]}} | {'target':<{widths[2]}} | {'':<{widths[3]}} |")
        print(f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 1)}:|{'-' * (widths[2] + 2)}|{'-' * (widths[3] + 2)}|")
        for figure, value, target, verdict in self.rows:
            print(f"| {figure:<{widths[0]}} | {value:>{widths[1]}} | {target:<{widths[2]}} | {verdict:<{widths[3]}} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS))
    parser.add_argument("--requests", type=int, default=100, help="requests per page (default 100)")
    parser.add_argument(
        "--child", choices=["import", "run", "whatif", "admin", "pages", "directory"], help=argparse.SUPPRESS
    )
    parser.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child, json.loads(args.child_args))
        return 0
    base = os.environ.get("DATABASE_URL", "")
    if urlsplit(base).scheme not in {"postgres", "postgresql"}:
        print("DATABASE_URL must point at PostgreSQL (the bench creates <db>_bench… beside it)", file=sys.stderr)
        return 2
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = only - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    began = time.perf_counter()
    start_load = ", ".join(f"{value:.1f}" for value in os.getloadavg())  # other work on the machine skews timings
    table = Table()
    n = args.partners
    tier_parts = only & {"import", "run", "whatif", "pages"}
    url = scratch_url(base, "_bench") if tier_parts else ""
    if tier_parts:
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        partner_ids = build_partners_and_rules(n)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "mrr.csv"
            rows = tiers_bench.write_csv(path, partner_ids)
            size_mb = path.stat().st_size / 1e6
            print(f"{n:,} partners × {CUSTOMERS} customers = {rows:,} MRR rows ({size_mb:.0f} MB CSV)", flush=True)
            result = run_child("import", url, path=str(path))
        from django.db import connection

        connection.close()  # the children use their own connections
        if "import" in only:
            table.add(
                f"import_mrr, rows/s ({rows:,} rows)",
                f"{rows / result['seconds']:,.0f}",
                "≥ 300,000",
                rows / result["seconds"] >= 300_000,
            )
            table.add("import_mrr, seconds", f"{result['seconds']:.2f}")
            table.add("import_mrr, path taken", "row by row" if result["row_by_row"] else "fast", "fast")
            table.add("import_mrr, peak RSS of the child, MB", f"{result['rss_mb']:.0f}", "flat in rows")
            table.add("import_mrr, WAL bytes per row", f"{result['wal_bytes'] / rows:,.0f}", "reported")
        floor_seconds, floor_rows = floor(n)
        table.add("floor: bare GROUP BY, best of 3, s", f"{floor_seconds:.3f}", "—")
        if "run" in only or "whatif" in only:
            set_starting_tiers(floor_rows)
        if "run" in only:
            run = run_child("run", url)
            ratio = run["seconds"] / floor_seconds
            table.add("run_monthly, seconds", f"{run['seconds']:.2f}")
            table.add("run_monthly × floor", f"{ratio:.2f}", "≤ 2", ratio <= 2)
            table.add(
                "run_monthly, peak RSS of the child, MB", f"{run['rss_mb']:.0f}", "≤ 150 at 100k", run["rss_mb"] <= 150
            )
            table.add("run_monthly, RSS of the child after start-up, MB", f"{run['setup_rss_mb']:.0f}", "reported")
        if "whatif" in only:
            draft = draft_rule_set()
            connection.close()
            whatif = run_child("whatif", url, rule_set=draft)
            limit = 1 if n <= 10_000 else 5
            table.add(
                f"what-if over {whatif['partners']:,} partners, s",
                f"{whatif['seconds']:.2f}",
                "≤ 1 at 10k, ≤ 5 at 100k",
                whatif["seconds"] <= limit,
            )
        if "pages" in only:
            admin = run_child("admin", url, requests=max(10, args.requests // 4), partners=n)
            for name, timing in admin.items():
                table.add(f"{name}, p95 ms ({rows:,} rows)", f"{timing['p95']:.0f}", "≤ 300", timing["p95"] <= 300)
            page_partners = min(n, PAGE_PARTNERS)
            pages_url = scratch_url(base, "_bench_pages")
            pages = run_child("pages", pages_url, partners=page_partners, requests=args.requests)
            for name, timing in pages.items():
                table.add(
                    f"{name}, p95 ms ({page_partners:,} partners)", f"{timing['p95']:.1f}", "≤ 50", timing["p95"] <= 50
                )
    if "directory" in only:
        directory_partners = min(n, PAGE_PARTNERS)
        directory_url = scratch_url(base, "_bench_directory")
        figures = run_child("directory", directory_url, partners=directory_partners, requests=args.requests)
        for name, timing in figures.items():
            table.add(
                f"directory {name}, p95 ms ({directory_partners:,} partners)",
                f"{timing['p95']:.1f}",
                "≤ 100",
                timing["p95"] <= 100,
            )
    table.print(f"bench/run.py --partners {n} --only {','.join(p for p in PARTS if p in only)}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\n{time.perf_counter() - began:.0f} s in all; {os.cpu_count()} CPUs; load average at the end {load} "
        f"(at the start {start_load}); {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.exit(main())
