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

# One beat process, UTC (CELERY_TIMEZONE). Beat only calls `run_due` hourly: the
# job registry (portal/jobs.py, filled by each app's jobs.py) knows each job's
# due periods and the ledger knows which are done, so a missed tick, a restarted
# beat or a lost worker costs an hour, not a month. The heartbeat lets /readyz
# tell whether beat is alive.
app.conf.beat_schedule = {
    "portal-run-due": {
        "task": "portal.tasks.run_due",
        "schedule": crontab(minute=5),
    },
    "portal-beat-heartbeat": {
        "task": "portal.tasks.beat_heartbeat",
        "schedule": 60.0,
    },
}

# The email outbox: messages are sent as soon as their transaction commits; this flush
# retries failed attempts when their backoff is over and catches anything not enqueued.
app.conf.beat_schedule["portal-send-emails"] = {
    "task": "portal.tasks.send_emails",
    "schedule": crontab(),  # every minute
}
