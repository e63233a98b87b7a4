"""Periodic community jobs (beat schedule in portal/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from community.services import hug_flag_inactive_leaders, previous_quarter


@shared_task(name="community.tasks.flag_inactive_hug_leaders")
def flag_inactive_hug_leaders(quarter: str | None = None) -> int:
    """Flag led HUGs without a free event in `quarter` (default: the quarter before today). Safe to repeat."""
    quarter = quarter or previous_quarter(timezone.localdate())
    return len(hug_flag_inactive_leaders(quarter=quarter))
