"""The one beat schedule names real tasks, and each scheduled job is also a command."""

from __future__ import annotations

from django.core.management import get_commands

from portal import jobs
from portal.celery import app

# Scheduled job (portal/jobs.py registry) → the management command that runs the same service by hand.
COMMAND_FOR_JOB = {
    "monthly_evaluation": "run_monthly",
    "reassessment": "reassess",
    "registrations_expiry": "expire_registrations",
    "registrations_compliance": "check_compliance",
    "registrations_expiry_reminders": "send_expiry_reminders",
    "hug_inactivity_check": "flag_inactive_hug_leaders",
    "accreditation_reevaluation": "reevaluate_accreditations",
    "notification_digests": "send_digests",
}


def test_beat_schedule_tasks_are_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {"portal.tasks.run_due", "portal.tasks.beat_heartbeat", "portal.tasks.send_emails"}
    assert sorted(name for name in scheduled if name not in app.tasks) == []


def test_every_scheduled_job_has_a_command():
    commands = get_commands()
    assert {job.name for job in jobs.registered()} == set(COMMAND_FOR_JOB)
    assert sorted(cmd for cmd in [*COMMAND_FOR_JOB.values(), "run_due", "send_emails"] if cmd not in commands) == []


def test_schedule_runs_run_due_hourly_in_explicit_utc():
    assert app.conf.timezone == "UTC"
    hourly = app.conf.beat_schedule["portal-run-due"]["schedule"]
    assert hourly.minute == {5} and len(hourly.hour) == 24 and len(hourly.day_of_month) == 31
