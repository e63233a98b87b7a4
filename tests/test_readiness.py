"""/readyz for monitoring and the staff-only status page: database, broker, worker, beat, last job runs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import redis_url_or_skip
from portal import status
from portal.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_broker(settings):
    from django.core.cache import cache

    settings.REDIS_URL = redis_url_or_skip()
    cache.delete(status.HEARTBEAT_KEY.format(status.BEAT))  # a heartbeat left by an earlier test run
    return settings.REDIS_URL


def _refused_run() -> JobRun:
    return JobRun.objects.create(
        job="monthly_evaluation",
        period="2026-06",
        outcome="refused",
        reason="no published rule set is in force for 2026-06",
        started_at=dt.datetime(2026, 7, 1, 3, 5, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 7, 1, 3, 5, tzinfo=dt.UTC),
    )


def test_readyz_without_a_worker_or_beat_is_unavailable_and_names_them(client, redis_broker):
    _refused_run()
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"
    assert body["checks"]["worker"] == "error: no worker answered a ping"
    assert body["checks"]["beat"] == "error: no beat heartbeat yet"
    monthly = next(j for j in body["jobs"] if j["job"] == "monthly_evaluation")
    assert (monthly["period"], monthly["outcome"]) == ("2026-06", "refused")
    assert "reason" not in monthly  # reasons are for staff, on the status page


def test_readyz_reports_a_stale_beat_heartbeat(client, redis_broker):
    with time_machine.travel(dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        status.heartbeat_record(status.BEAT)
    with time_machine.travel(dt.datetime(2026, 7, 1, 3, 4, tzinfo=dt.UTC), tick=False):
        fresh = client.get("/readyz").json()["checks"]["beat"]
    with time_machine.travel(dt.datetime(2026, 7, 1, 3, 6, tzinfo=dt.UTC), tick=False):
        stale = client.get("/readyz").json()["checks"]["beat"]
    assert fresh == "ok"
    assert stale == "error: last beat heartbeat at 2026-07-01 03:00:00 UTC"


def test_readyz_with_the_broker_down_is_unavailable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    body = client.get("/readyz")
    assert body.status_code == 503
    checks = body.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["broker"].startswith("error:") and checks["worker"] == "error: broker unavailable"


def test_embedded_mode_has_no_worker_or_beat_to_check(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_status_page_shows_checks_and_last_runs_to_staff(client_for, staff, redis_broker):
    _refused_run()
    response = client_for(staff).get("/status/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-check="worker"' in html and "no worker answered a ping" in html
    assert "no published rule set is in force for 2026-06" in html
    assert 'data-job="reassessment"' in html and "Not run yet" in html


@pytest.mark.parametrize("persona", ["partner_admin", "partner_member", "cam", "cc"])
def test_status_page_is_staff_only(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/status/").status_code == 404


def test_status_page_needs_a_login(client):
    response = client.get("/status/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_home_shows_the_last_run_of_each_job_and_links_the_status_page(
    client_for, staff, django_assert_max_num_queries
):
    _refused_run()
    client = client_for(staff)
    # 16 before the programme overview (#12 item 3) + its sections and waiting decisions (15, constant).
    with django_assert_max_num_queries(31):
        response = client.get("/")
    html = response.content.decode()
    assert 'data-testid="job-runs"' in html and 'href="/status/"' in html
    row = html.split('data-job="monthly_evaluation"')[1].split("</tr>")[0]
    assert "2026-06" in row and "Refused" in row
