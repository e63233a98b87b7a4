"""A real Celery worker (against REDIS_URL) runs run_due and answers the readiness checks."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine

from portal import status
from portal.models import JobRun, Tier
from tests.workers import worker_running
from tiers import services
from tiers.tests.factories import (
    partner_platinum_from_september_2022,
    spec_emerging_markets,  # noqa: F401  (autouse fixture)
)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_running_run_due_after_a_missed_tick_evaluates_the_month_once(celery_app_on_redis):
    partner = partner_platinum_from_september_2022()
    services.mrr_months_mark_complete(months=[dt.date(2022, 8, 1)], by="test")

    # Beat restarted at 05:30 on 1 September, after the 03:00 tick: its next hourly run_due catches up.
    with (
        time_machine.travel(dt.datetime(2022, 9, 1, 5, 30, tzinfo=dt.UTC)),
        worker_running(celery_app_on_redis),
    ):
        first = celery_app_on_redis.send_task("portal.tasks.run_due").get(timeout=120)
        second = celery_app_on_redis.send_task("portal.tasks.run_due").get(timeout=120)

    monthly = [item for item in first if item["job"] == "monthly_evaluation"]
    assert monthly == [{"job": "monthly_evaluation", "period": "2022-08", "outcome": "done", "reason": ""}]
    assert second == []
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.PLATINUM, dt.date(2022, 9, 1))
    assert JobRun.objects.filter(job="monthly_evaluation", outcome="done").count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readiness_with_a_running_worker_and_a_beat_heartbeat(celery_app_on_redis):
    from django.core.cache import cache

    cache.delete(status.HEARTBEAT_KEY.format(status.BEAT))
    with worker_running(celery_app_on_redis):
        celery_app_on_redis.send_task("portal.tasks.beat_heartbeat")  # what beat sends every minute
        deadline = time.monotonic() + 60
        while status.heartbeat_last(status.BEAT) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        with_worker = status.readiness()
    without_worker = status.readiness()

    assert with_worker.checks == {"database": "ok", "broker": "ok", "worker": "ok", "beat": "ok"}
    assert with_worker.ready and with_worker.beat_last is not None
    assert without_worker.checks["worker"] == "error: no worker answered a ping"
