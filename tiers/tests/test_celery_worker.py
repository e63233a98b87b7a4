"""A real Celery worker (threaded, against REDIS_URL) runs the monthly evaluation task."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.models import JobRun, Tier
from tests.workers import worker_running
from tiers.tests.factories import (
    partner_platinum_from_september_2022,
)


@pytest.mark.celery_worker
# serialized_rollback: the flush after a transactional test would otherwise drop the
# emerging markets seeded by the data migration, which later tests rely on.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_runs_the_monthly_evaluation(celery_app_on_redis):
    partner = partner_platinum_from_september_2022()

    with worker_running(celery_app_on_redis):
        result = celery_app_on_redis.send_task("tiers.tasks.run_monthly_evaluation", args=["2022-09-01"])
        outcome = result.get(timeout=60)
        again = celery_app_on_redis.send_task("tiers.tasks.run_monthly_evaluation", args=["2022-09-01"]).get(timeout=60)

    assert (outcome["month"], outcome["ran"], again["ran"]) == ("2022-08", True, False)
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.PLATINUM, dt.date(2022, 9, 1))
    assert JobRun.objects.filter(period="2022-08", outcome="done").count() == 1
