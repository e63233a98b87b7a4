"""Celery tasks of the tier engine. Thin and idempotent.

Beat does not call these directly any more: it calls `portal.tasks.run_due`
hourly, which runs the registered jobs (tiers/jobs.py). These stay for an
operator who wants to send one run to the worker. Each takes an optional ISO run
date (default: today) and works out its own period; the run ledger makes a second
run of a done period a no-op. A refused run raises (the task is FAILED, the ledger
row says why and staff are emailed), it never reports success.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from portal.months import add_months, month_start
from tiers import engine, services


def _run_date(run_date: str | None) -> dt.date:
    return dt.date.fromisoformat(run_date) if run_date else timezone.localdate()


@shared_task(name="tiers.tasks.run_monthly_evaluation")
def run_monthly_evaluation(run_date: str | None = None) -> dict:
    """Evaluate the month that ended before the run date (the 1st → the previous month)."""
    month = add_months(month_start(_run_date(run_date)), -1)
    result = services.month_evaluate(month=month, actor="celery task")
    return {"month": f"{month:%Y-%m}", "run": result.run.pk, "ran": result.ran, "counts": result.counts}


@shared_task(name="tiers.tasks.run_reassessment")
def run_reassessment(run_date: str | None = None) -> dict:
    """Reassess as of the latest reassessment date on or before the run date."""
    on = engine.last_reassessment_date(_run_date(run_date))
    result = services.reassessment_run(on=on, actor="celery task")
    return {"on": on.isoformat(), "run": result.run.pk, "ran": result.ran, "counts": result.counts}


@shared_task(name="tiers.tasks.run_upload")
def run_upload(upload_id: int) -> dict:
    """Import a file staff uploaded in the browser (tiers.uploads); a second run changes nothing."""
    from tiers import uploads

    upload = uploads.upload_run(upload_id=upload_id)
    return {"upload": upload.pk, "status": upload.status, "rows": upload.rows_read}
