"""The run ledger: recorded outside the work, refused and failed runs kept and emailed, done once per period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from portal import jobs
from portal.models import JobOutcome, JobRun, Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_a_refused_run_leaves_a_ledger_row_and_emails_staff_while_its_work_rolls_back(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    def work(run):
        PartnerFactory(partner_id="P-ROLLED-BACK")
        raise jobs.JobRefused("rule set 'Points 2026' has no coefficient for: ZAR")

    with (
        time_machine.travel(dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the staff email leaves through the outbox
        pytest.raises(jobs.JobRefused),
    ):
        jobs.job_run(job="monthly_evaluation", period="2026-06", work=work, actor="beat")

    assert not Partner.objects.filter(partner_id="P-ROLLED-BACK").exists()
    run = JobRun.objects.get()
    assert (run.job, run.period, run.outcome, run.actor) == ("monthly_evaluation", "2026-06", "refused", "beat")
    assert run.reason == "rule set 'Points 2026' has no coefficient for: ZAR"
    assert run.finished_at is not None and run.duration == dt.timedelta(0)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [staff.email]
    assert mailoutbox[0].subject == "Scheduled job refused: Monthly evaluation 2026-06"
    assert "no coefficient for: ZAR" in mailoutbox[0].body


def test_a_failed_run_is_recorded_as_failed_and_emailed_once_per_reason(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    def work(run):
        PartnerFactory(partner_id="P-ROLLED-BACK")
        raise RuntimeError("disk full")

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            jobs.job_run(job="registrations_expiry", period="2026-07-01", work=work)

    assert not Partner.objects.filter(partner_id="P-ROLLED-BACK").exists()
    runs = list(JobRun.objects.values_list("outcome", "reason"))
    assert runs == [("failed", "RuntimeError: disk full")] * 2
    assert len(mailoutbox) == 1  # the same failure again does not email again
    assert mailoutbox[0].subject == "Scheduled job failed: Registration expiry 2026-07-01"


def test_a_done_period_runs_once(staff, mailoutbox):
    calls = []

    def work(run):
        calls.append(run.pk)
        return {"expired": 3}

    first = jobs.job_run(job="registrations_expiry", period="2026-07-01", work=work)
    second = jobs.job_run(job="registrations_expiry", period="2026-07-01", work=work)

    assert (first.ran, second.ran, len(calls)) == (True, False, 1)
    assert second.run.pk == first.run.pk
    assert list(JobRun.objects.values_list("outcome", "counts")) == [("done", {"expired": 3})]
    assert mailoutbox == []


def test_a_run_left_running_by_a_killed_worker_is_marked_interrupted_by_the_next_attempt():
    stale = JobRun.objects.create(
        job="monthly_evaluation", period="2026-06", started_at=dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC)
    )

    jobs.job_run(job="monthly_evaluation", period="2026-06", work=lambda run: {})

    stale.refresh_from_db()
    assert stale.outcome == JobOutcome.FAILED and "interrupted" in stale.reason
    assert JobRun.objects.filter(outcome=JobOutcome.DONE).count() == 1


def test_the_ledger_allows_one_done_run_per_job_and_period():
    from django.db import IntegrityError, transaction

    now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    JobRun.objects.create(job="reassessment", period="2026-07-15", outcome="done", started_at=now)
    JobRun.objects.create(job="reassessment", period="2026-07-15", outcome="refused", started_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        JobRun.objects.create(job="reassessment", period="2026-07-15", outcome="done", started_at=now)


def test_every_scheduled_job_is_registered():
    names = {job.name for job in jobs.registered()}
    assert names == {
        "accreditation_reevaluation",
        "hug_inactivity_check",
        "monthly_evaluation",
        "notification_digests",
        "reassessment",
        "registrations_compliance",
        "registrations_expiry",
        "registrations_expiry_reminders",
    }


def test_run_due_runs_the_daily_jobs_once_per_day_and_the_missed_quarter():
    with time_machine.travel(dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC)):
        first = jobs.run_due(now=dt.datetime(2026, 7, 2, 8, 0, tzinfo=dt.UTC))
        second = jobs.run_due(now=dt.datetime(2026, 7, 2, 9, 5, tzinfo=dt.UTC))

    assert {(i.job, i.period, i.outcome) for i in first} == {
        ("registrations_expiry", "2026-07-02", "done"),
        ("registrations_compliance", "2026-07-02", "done"),
        ("registrations_expiry_reminders", "2026-07-02", "done"),
        ("accreditation_reevaluation", "2026-07-02", "done"),
        ("hug_inactivity_check", "2026-Q2", "done"),
        ("notification_digests", "2026-07-02", "done"),
    }
    assert second == []
    assert JobRun.objects.count() == 6


def test_the_admin_shows_the_ledger_read_only(client_for, staff):
    JobRun.objects.create(
        job="monthly_evaluation",
        period="2026-06",
        outcome="refused",
        reason="no published rule set",
        started_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
    )
    client = client_for(staff)

    listing = client.get("/admin/portal/jobrun/")
    add = client.get("/admin/portal/jobrun/add/")

    assert "no published rule set" in listing.content.decode()
    assert add.status_code == 403


def test_beat_runs_run_due_hourly_and_a_heartbeat():
    from portal.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert tasks == {"portal.tasks.run_due", "portal.tasks.beat_heartbeat", "portal.tasks.send_emails"}
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
