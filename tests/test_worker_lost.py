"""A worker process killed during the monthly evaluation: the task is redelivered and the ledger tells the story."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from conftest import redis_url_or_skip
from portal.models import JobRun
from tiers import services
from tiers.tests.factories import (
    partner_platinum_from_september_2022,
    spec_emerging_markets,  # noqa: F401  (autouse fixture)
)

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "h1-worker-lost-test"


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _wait(condition, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_child_is_redelivered_and_the_month_evaluated_once():
    url = redis_url_or_skip()
    import redis

    from portal.celery import app

    redis.Redis.from_url(url).delete(QUEUE)  # a message left by an earlier, interrupted run of this test

    partner = partner_platinum_from_september_2022()
    services.mrr_months_mark_complete(months=[dt.date(2022, 8, 1)], by="test")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = _lock_id("jobs:monthly_evaluation:2022-08")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock])  # the task will block inside its work
        previous = (app.conf.task_always_eager, app.conf.broker_url)
        app.conf.task_always_eager, app.conf.broker_url = False, url
        try:
            app.send_task("tiers.tasks.run_monthly_evaluation", args=["2022-09-01"], queue=QUEUE)
        finally:
            app.conf.task_always_eager, app.conf.broker_url = previous
        assert _wait(lambda: JobRun.objects.filter(period="2022-08", outcome="running").exists())
        child = _children(worker.pid)[0]
        os.kill(child, signal.SIGKILL)  # the worker's pool process dies mid-task (OOM killer, kill -9)
        assert _wait(lambda: JobRun.objects.filter(period="2022-08", outcome="running").count() == 2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
        assert _wait(lambda: JobRun.objects.filter(period="2022-08", outcome="done").exists())
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    runs = list(JobRun.objects.filter(period="2022-08").order_by("started_at").values_list("outcome", "reason"))
    assert runs == [("failed", "interrupted: the process stopped before it finished"), ("done", "")]
    partner.refresh_from_db()
    assert partner.tier == "platinum"
