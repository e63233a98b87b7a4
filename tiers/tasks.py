"""Celery tasks of the tier engine (beat schedule in portal/celery.py). Thin and idempotent.

Each takes an optional ISO run date (default: today) and works out its own
period, so a late or repeated beat tick is harmless: the run ledger makes a
second run of the same period a no-op.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from tiers import engine, services

log = logging.getLogger(__name__)


def _run_date(run_date: str | None) -> dt.date:
    return dt.date.fromisoformat(run_date) if run_date else timezone.localdate()


def last_reassessment_date(today: dt.date) -> dt.date:
    """The latest 15 January or 15 July on or before `today`."""
    candidates = [dt.date(today.year, 7, 15), dt.date(today.year, 1, 15), dt.date(today.year - 1, 7, 15)]
    return next(day for day in candidates if day <= today)


@shared_task(name="tiers.tasks.run_monthly_evaluation")
def run_monthly_evaluation(run_date: str | None = None) -> dict:
    """Evaluate the month that ended before the run date (the 1st at 03:00 → the previous month)."""
    month = engine.add_months(engine.month_start(_run_date(run_date)), -1)
    try:
        result = services.month_evaluate(month=month)
    except services.RunRefused as exc:
        log.error("monthly evaluation of %s refused: %s", f"{month:%Y-%m}", exc)
        return {"month": f"{month:%Y-%m}", "refused": str(exc)}
    return {"month": f"{month:%Y-%m}", "run": result.run.pk, "ran": result.ran, "counts": result.counts}


@shared_task(name="tiers.tasks.run_reassessment")
def run_reassessment(run_date: str | None = None) -> dict:
    """Reassess as of the latest 15 January / 15 July on or before the run date."""
    on = last_reassessment_date(_run_date(run_date))
    try:
        result = services.reassessment_run(on=on)
    except services.RunRefused as exc:
        log.error("reassessment of %s refused: %s", on, exc)
        return {"on": on.isoformat(), "refused": str(exc)}
    return {"on": on.isoformat(), "run": result.run.pk, "ran": result.ran, "counts": result.counts}
