"""Periodic enablement jobs (beat schedule in portal/celery.py)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from enablement.services import accreditations_reevaluate_due


@shared_task(name="enablement.tasks.reevaluate_accreditations")
def reevaluate_accreditations(on: str | None = None) -> dict[str, int]:
    """The 6-monthly accreditation re-evaluation for holdings due on `on` (default today). Safe to repeat."""
    today = dt.date.fromisoformat(on) if on else timezone.localdate()
    return accreditations_reevaluate_due(today=today)
