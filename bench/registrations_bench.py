"""Benchmark: 50 concurrent API clients submitting domains for partners at the cap boundary.

Creates (drops and recreates) a dedicated PostgreSQL database, migrates it,
seeds partners two below their cap with one API token each, starts gunicorn
on a free 127.0.0.1 port and fires 50 client threads at
`POST /api/v1/registrations` (plus releases, so partners hover at the cap).
A sampler thread reads every partner's live count during the run.

Pass/fail: zero cap violations (sampled and final), zero 5xx. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/registrations_bench.py [--clients 50] [--requests 40] [--partners 10] [--workers 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_registrations"


def _bench_url(base: str) -> str:
    head, _, _db = base.rpartition("/")
    return f"{head}/{BENCH_DB}"


def recreate_database(base_url: str) -> None:
    import psycopg

    admin_url = base_url.rpartition("/")[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(partner_count: int) -> list[dict]:
    """Partners (no tier: cap 10) with 8 live registrations each and a token; returns what clients need."""
    import django

    django.setup()
    from django.utils import timezone

    from api.services import api_token_create
    from portal.models import Partner, Role, User
    from registrations.models import DomainRegistration, RegistrationConfig

    cap = RegistrationConfig.get().cap_solutions_partner
    partners = Partner.objects.bulk_create(
        [
            Partner(partner_id=f"B{i:05d}", name=f"Bench {i}", country="US", region="na", joined_on="2020-01-01")
            for i in range(partner_count)
        ]
    )
    out = []
    for partner in partners:
        user = User.objects.create_user(
            f"bench{partner.partner_id}@example.test", None, role=Role.PARTNER_ADMIN, partner=partner
        )
        DomainRegistration.objects.bulk_create(
            [
                DomainRegistration(
                    partner=partner,
                    domain=f"seed{j}-{partner.partner_id.lower()}.com",
                    status="registered",
                    submitted_at=timezone.now(),
                    expires_on="2099-01-01",
                )
                for j in range(cap - 2)
            ]
        )
        out.append({"pk": partner.pk, "token": api_token_create(user=user, name="bench")[1], "cap": cap})
    return out


def request(base: str, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, payload = resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        status = exc.code
        try:
            payload = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            payload = {"raw": raw[:200].decode(errors="replace")}
    return status, payload, time.perf_counter() - started


def client(index: int, base: str, partners: list[dict], requests: int, results: list, lock: threading.Lock) -> None:
    for n in range(requests):
        partner = partners[(index + n) % len(partners)]
        status, payload, elapsed = request(
            base,
            "POST",
            "/api/v1/registrations",
            partner["token"],
            {"domain": f"https://www.c{index}-r{n}.com/"},
        )
        outcome = [(status, payload.get("code"), elapsed)]
        if status == 201 and n % 2 == 0:
            # Give one back half the time, so the partner stays on the cap boundary.
            rel_status, rel_payload, rel_elapsed = request(
                base, "POST", f"/api/v1/registrations/{payload['id']}/release", partner["token"]
            )
            outcome.append((rel_status, rel_payload.get("code"), rel_elapsed))
        with lock:
            results.extend(outcome)


def sampler(partners: list[dict], stop: threading.Event, violations: list) -> None:
    import psycopg

    caps = {p["pk"]: p["cap"] for p in partners}
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT partner_id, count(*) FROM registrations_domainregistration "
                "WHERE status IN ('pending', 'registered') GROUP BY partner_id"
            ).fetchall()
            violations.extend((pk, n) for pk, n in rows if pk in caps and n > caps[pk])
            time.sleep(0.05)


def wait_ready(base: str, proc: subprocess.Popen) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="submissions per client")
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args()

    base_db = os.environ.get("DATABASE_URL", "")
    if not base_db.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (the benchmark creates its own database there)")
    os.environ.update(
        DATABASE_URL=_bench_url(base_db), DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="false", LOG_LEVEL="ERROR"
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    recreate_database(base_db)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--skip-checks", "-v", "0"], cwd=ROOT, check=True
    )
    partners = seed(args.partners)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "registrations_bench_gunicorn.log", "w")  # noqa: SIM115
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=server_log,
        stderr=server_log,  # 4xx warnings are expected by the thousand; kept out of the report
    )
    try:
        wait_ready(base, gunicorn)
        results: list = []
        violations: list = []
        lock, stop = threading.Lock(), threading.Event()
        watcher = threading.Thread(target=sampler, args=(partners, stop, violations))
        watcher.start()
        threads = [
            threading.Thread(target=client, args=(i, base, partners, args.requests, results, lock))
            for i in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        stop.set()
        watcher.join()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)
        server_log.close()

    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        final = dict(
            conn.execute(
                "SELECT partner_id, count(*) FROM registrations_domainregistration "
                "WHERE status IN ('pending', 'registered') GROUP BY partner_id"
            ).fetchall()
        )
    final_violations = [(p["pk"], final.get(p["pk"], 0)) for p in partners if final.get(p["pk"], 0) > p["cap"]]
    at_cap = sum(1 for p in partners if final.get(p["pk"], 0) == p["cap"])
    outcomes = Counter((status, code) for status, code, _ in results)
    latencies = sorted(elapsed_s for _, _, elapsed_s in results)
    server_errors = sum(n for (status, _code), n in outcomes.items() if status >= 500)
    print(
        f"clients={args.clients} requests={len(results)} partners={args.partners} gunicorn workers={args.workers}x{args.threads}"
    )
    print(
        f"elapsed={elapsed:.2f}s throughput={len(results) / elapsed:.1f} req/s "
        f"p50={statistics.median(latencies) * 1000:.0f}ms p95={latencies[int(len(latencies) * 0.95)] * 1000:.0f}ms"
    )
    for (status, code), n in sorted(outcomes.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {status} {code or ''}: {n}")
    print(f"partners at cap at the end: {at_cap}/{len(partners)}")
    print(f"cap violations: sampled={len(violations)} final={len(final_violations)}; 5xx={server_errors}")
    ok = not violations and not final_violations and server_errors == 0
    print(f"server log: {server_log.name}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
