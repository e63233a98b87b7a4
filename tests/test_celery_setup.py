"""The one beat schedule names real tasks, and each periodic task is also a command."""

from __future__ import annotations

from django.core.management import get_commands

from portal.celery import app

# Periodic task → the management command that runs the same service by hand.
COMMAND_FOR_TASK = {
    "tiers.tasks.run_monthly_evaluation": "run_monthly",
    "tiers.tasks.run_reassessment": "reassess",
    "registrations.tasks.expire_registrations": "expire_registrations",
    "registrations.tasks.check_compliance": "check_compliance",
    "registrations.tasks.send_expiry_reminders": "send_expiry_reminders",
    "community.tasks.flag_inactive_hug_leaders": "flag_inactive_hug_leaders",
    "enablement.tasks.reevaluate_accreditations": "reevaluate_accreditations",
    "portal.tasks.send_emails": "send_emails",
}


def test_beat_schedule_tasks_are_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == set(COMMAND_FOR_TASK)
    assert sorted(name for name in scheduled if name not in app.tasks) == []


def test_every_periodic_task_has_a_command():
    commands = get_commands()
    assert sorted(cmd for cmd in COMMAND_FOR_TASK.values() if cmd not in commands) == []


def test_schedule_runs_in_explicit_utc():
    assert app.conf.timezone == "UTC"
    monthly = app.conf.beat_schedule["tiers-monthly-evaluation"]["schedule"]
    assert monthly.day_of_month == {1} and monthly.hour == {3} and monthly.minute == {0}
    reassessment = app.conf.beat_schedule["tiers-semiannual-reassessment"]["schedule"]
    assert reassessment.month_of_year == {1, 7} and reassessment.day_of_month == {15}
