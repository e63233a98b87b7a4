"""The Celery app and the one beat schedule of the portal.

Task names are strings so `portal` imports no feature app. Every periodic task
here is also a management command (see docs/operations.md).
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One beat process, UTC (CELERY_TIMEZONE). Each task computes its own period
# from the run date, so a late or repeated beat tick is harmless.
app.conf.beat_schedule = {
    "tiers-monthly-evaluation": {
        "task": "tiers.tasks.run_monthly_evaluation",
        "schedule": crontab(minute=0, hour=3, day_of_month=1),
    },
    "tiers-semiannual-reassessment": {
        "task": "tiers.tasks.run_reassessment",
        "schedule": crontab(minute=0, hour=3, day_of_month=15, month_of_year="1,7"),
    },
    "registrations-daily-expiry": {
        "task": "registrations.tasks.expire_registrations",
        "schedule": crontab(minute=15, hour=2),
    },
    "registrations-daily-compliance": {
        "task": "registrations.tasks.check_compliance",
        "schedule": crontab(minute=45, hour=2),
    },
    "registrations-expiry-reminders": {
        "task": "registrations.tasks.send_expiry_reminders",
        "schedule": crontab(minute=0, hour=7),
    },
    "enablement-accreditation-reevaluation": {
        "task": "enablement.tasks.reevaluate_accreditations",
        "schedule": crontab(minute=0, hour=5),
    },
    "community-hug-event-check": {
        "task": "community.tasks.flag_inactive_hug_leaders",
        "schedule": crontab(minute=30, hour=4, day_of_month=1),
    },
}

# The email outbox: messages are sent as soon as their transaction commits; this flush
# retries failed attempts when their backoff is over and catches anything not enqueued.
app.conf.beat_schedule["portal-send-emails"] = {
    "task": "portal.tasks.send_emails",
    "schedule": crontab(),  # every minute
}
