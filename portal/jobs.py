"""Scheduled jobs: the registry every feature app fills, the run ledger, and `run_due`.

`portal` imports no feature app, so each app declares its scheduled jobs in its
own `jobs.py` (`portal.jobs.register(Job(...))`); `registered()` discovers them.
Beat calls `portal.tasks.run_due` hourly; `run_due` runs, in due order, every
period of every job that is due and not done, so a missed tick, a restarted
beat or a lost worker costs an hour, not a month.

Every run goes through `job_run`, which writes the ledger (`JobRun`) outside
the work's transaction: the start row is committed before the work, the
outcome after it. A refused or failed run therefore leaves its row, and
programme staff get an email.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from portal.models import JobOutcome, JobRun, Role, User

log = logging.getLogger(__name__)


class JobRefused(Exception):
    """The job cannot run for this period (the message says why); its work wrote nothing."""


@dataclass(frozen=True)
class Period:
    """One period of a job: its ledger key, when it becomes due, and the value the job runs for."""

    key: str
    due: dt.datetime
    value: object


@dataclass(frozen=True)
class Job:
    """A scheduled job.

    - `periods(now)`: the periods due at `now` that may still need running, oldest first
      (run_due skips those already done).
    - `run(period, run)`: calls the job's service inside the ledger's transaction and
      returns counts; raises JobRefused (or a subclass) to refuse.
    - `wait_reason(period)`: why the period must wait (data not ready), or None.
    - `sequential`: a period waits while an earlier period of the same job is not done.
    """

    name: str
    label: str
    periods: Callable[[dt.datetime], list[Period]]
    run: Callable[[Period, JobRun], dict]
    wait_reason: Callable[[Period], str | None] = lambda period: None
    sequential: bool = False


_REGISTRY: dict[str, Job] = {}
_discovered = False


def register(job: Job) -> Job:
    _REGISTRY[job.name] = job
    return job


def registered() -> list[Job]:
    """Every registered job (each installed app's `jobs.py` is imported once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def get(name: str) -> Job:
    registered()
    return _REGISTRY[name]


# --- the ledger -----------------------------------------------------------------


def advisory_lock(key: str) -> None:
    """Serialise holders of `key` until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    if connection.vendor != "postgresql":
        return
    lock_id = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


@dataclass
class RunOutcome:
    run: JobRun | None
    ran: bool  # False: the period was already done (nothing changed) or it waits
    outcome: str = JobOutcome.DONE
    reason: str = ""
    counts: dict = field(default_factory=dict)


def done_run(*, job: str, period: str) -> JobRun | None:
    return JobRun.objects.filter(job=job, period=period, outcome=JobOutcome.DONE).first()


def job_run(*, job: str, period: str, work: Callable[[JobRun], dict], actor: str = "", note: str = "") -> RunOutcome:
    """Run `work` for (job, period) once, recording the attempt in the ledger.

    1. A done run of (job, period) → nothing written, `ran=False`.
    2. Commit a start row (running) in its own transaction.
    3. Run `work(run)` in one transaction holding the (job, period) lock; a run that
       finished the period meanwhile → drop the start row, `ran=False`. The done
       outcome commits with the work.
    4. JobRefused → outcome refused; any other exception → failed. Either is written
       after the work rolled back, staff are emailed, and the exception propagates.
    """
    existing = done_run(job=job, period=period)
    if existing is not None:
        return RunOutcome(run=existing, ran=False, counts=existing.counts)
    with transaction.atomic():
        run = JobRun.objects.create(job=job, period=period, started_at=timezone.now(), actor=actor, note=note)
    try:
        with transaction.atomic():
            advisory_lock(f"jobs:{job}:{period}")
            existing = done_run(job=job, period=period)
            if existing is not None:
                run.delete()
                return RunOutcome(run=existing, ran=False, counts=existing.counts)
            # Rows left "running" by an earlier attempt whose worker died are not running any more.
            JobRun.objects.filter(
                job=job, period=period, outcome=JobOutcome.RUNNING, started_at__lt=run.started_at
            ).update(outcome=JobOutcome.FAILED, reason=_("interrupted: the process stopped before it finished"))
            counts = work(run) or {}
            _finish(run, JobOutcome.DONE, counts=counts)
    except JobRefused as exc:
        _record_unsuccessful(run, JobOutcome.REFUSED, str(exc))
        raise
    except Exception as exc:
        _record_unsuccessful(run, JobOutcome.FAILED, f"{exc.__class__.__name__}: {exc}")
        raise
    return RunOutcome(run=run, ran=True, counts=counts)


def _finish(run: JobRun, outcome: str, *, counts: dict | None = None, reason: str = "") -> None:
    run.outcome, run.reason = outcome, reason
    run.finished_at = timezone.now()
    run.duration = run.finished_at - run.started_at
    fields = ["outcome", "reason", "finished_at", "duration"]
    if counts is not None:
        run.counts = counts
        fields.append("counts")
    run.save(update_fields=fields)


def _record_unsuccessful(run: JobRun, outcome: str, reason: str) -> None:
    """Write the outcome of a refused/failed run in its own transaction and tell staff (once per reason)."""
    with transaction.atomic():
        repeated = (
            JobRun.objects.filter(job=run.job, period=run.period, outcome=outcome, reason=reason)
            .exclude(pk=run.pk)
            .exists()
        )
        _finish(run, outcome, reason=reason)
        if not repeated:
            _email_staff_about(run)
    log.error("job %s %s %s: %s", run.job, run.period, outcome, reason)


def staff_emails() -> list[str]:
    return sorted(User.objects.filter(role=Role.STAFF, is_staff=True, is_active=True).values_list("email", flat=True))


def email_staff(*, subject: str, body: str) -> None:
    """Mail programme staff with Django's mail API (the configured backend decides how it travels)."""
    recipients = staff_emails()
    if recipients:
        send_mail(subject, body, None, recipients, fail_silently=False)


def _email_staff_about(run: JobRun) -> None:
    label = job_label(run.job)
    outcome = run.get_outcome_display()
    email_staff(
        subject=_("Scheduled job %(outcome)s: %(job)s %(period)s")
        % {"outcome": outcome.lower(), "job": label, "period": run.period},
        body=_(
            "The scheduled job “%(job)s” for %(period)s was %(outcome)s at %(at)s.\n\n"
            "Reason: %(reason)s\n\nThe run ledger (Django admin → Job runs) and the status page show every run."
        )
        % {
            "job": label,
            "period": run.period,
            "outcome": outcome.lower(),
            "at": f"{run.finished_at:%Y-%m-%d %H:%M} UTC",
            "reason": run.reason,
        },
    )


def job_label(name: str) -> str:
    registered()
    job = _REGISTRY.get(name)
    return str(job.label) if job else name


def ledger_wait(*, job: str, period: str, reason: str, actor: str = "") -> JobRun:
    """Record that (job, period) waits. One waiting row per (job, period) and reason: repeats change nothing."""
    with transaction.atomic():
        latest = JobRun.objects.filter(job=job, period=period).order_by("-started_at", "-pk").first()
        if latest is not None and latest.outcome == JobOutcome.WAITING and latest.reason == reason:
            return latest
        now = timezone.now()
        return JobRun.objects.create(
            job=job,
            period=period,
            outcome=JobOutcome.WAITING,
            reason=reason,
            started_at=now,
            finished_at=now,
            duration=dt.timedelta(0),
            actor=actor,
        )


# --- run_due ----------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    job: str
    period: str
    outcome: str  # done / waiting / refused / failed
    reason: str = ""


def run_due(*, now: dt.datetime, actor: str = "run_due") -> list[DueItem]:
    """Run every due, not-done period of every registered job, oldest due first.

    A period whose data is not ready waits (ledger row `waiting` with the reason);
    in a sequential job, later periods wait behind it. Refused and failed periods
    are recorded (and emailed) by `job_run`; run_due carries on with other jobs.
    Running it again changes nothing.
    """
    items = [(period.due, index, job, period) for index, job in enumerate(registered()) for period in job.periods(now)]
    items.sort(key=lambda item: (item[0], item[1]))
    done = set(
        JobRun.objects.filter(
            outcome=JobOutcome.DONE, job__in={job.name for _, _, job, _ in items}, period__in={p.key for *_, p in items}
        ).values_list("job", "period")
    )
    blocked: dict[str, str] = {}
    results: list[DueItem] = []
    for _due, _index, job, period in items:
        if (job.name, period.key) in done:
            continue
        # The period's own readiness first (so a late month alerts even behind another), then its queue.
        reason = job.wait_reason(period) or (blocked.get(job.name) if job.sequential else None)
        if reason:
            ledger_wait(job=job.name, period=period.key, reason=reason, actor=actor)
            results.append(DueItem(job.name, period.key, JobOutcome.WAITING, reason))
            blocked.setdefault(job.name, _("an earlier period (%(period)s) is not done") % {"period": period.key})
            continue
        results.append(_run_one(job, period, actor=actor))
        if results[-1].outcome != JobOutcome.DONE:
            blocked.setdefault(job.name, _("an earlier period (%(period)s) is not done") % {"period": period.key})
    return results


def _run_one(job: Job, period: Period, *, actor: str) -> DueItem:
    try:
        job_run(job=job.name, period=period.key, work=lambda run: job.run(period, run), actor=actor)
    except JobRefused as exc:
        return DueItem(job.name, period.key, JobOutcome.REFUSED, str(exc))
    except Exception as exc:  # recorded as failed (and emailed) by job_run; other jobs still run
        log.exception("job %s %s failed", job.name, period.key)
        return DueItem(job.name, period.key, JobOutcome.FAILED, f"{exc.__class__.__name__}: {exc}")
    return DueItem(job.name, period.key, JobOutcome.DONE)


# --- reading the ledger -------------------------------------------------------------


@dataclass(frozen=True)
class JobStatus:
    name: str
    label: str
    last: JobRun | None


def last_runs() -> list[JobStatus]:
    """The latest ledger row of every registered job, in one query whatever the number of jobs."""
    every = registered()
    latest = JobRun.objects.filter(job=OuterRef("job")).order_by("-started_at", "-pk").values("pk")[:1]
    rows = {run.job: run for run in JobRun.objects.filter(job__in=[job.name for job in every], pk=Subquery(latest))}
    return [JobStatus(name=job.name, label=str(job.label), last=rows.get(job.name)) for job in every]


# --- helpers for jobs' period functions -----------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`day` at hour:minute UTC (beat and the schedule run in UTC)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def daily_period(now: dt.datetime, *, hour: int, minute: int = 0) -> list[Period]:
    """The latest day whose hour:minute has passed: daily jobs act on everything due on or before it."""
    day = now.astimezone(dt.UTC).date()
    if at(day, hour, minute) > now:
        day -= dt.timedelta(days=1)
    return [Period(key=day.isoformat(), due=at(day, hour, minute), value=day)]
