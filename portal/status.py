"""Readiness for balancers and people: database, broker, worker and beat heartbeats, last job runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from portal import jobs

BEAT = "beat"
HEARTBEAT_KEY = "portal:heartbeat:{}"
# Beat sends its heartbeat every minute; five missed minutes means it is not running.
BEAT_STALE_AFTER = dt.timedelta(minutes=5)
PING_TIMEOUT = 1.0
OK = "ok"
# What /readyz answers when a check fails (English for monitoring; `problem_label` is for people).
_NO_WORKER = "error: no worker answered a ping"
_NO_HEARTBEAT = "error: no beat heartbeat yet"
_NO_BROKER = "error: broker unavailable"
_STALE_BEAT = "error: last beat heartbeat at "


def heartbeat_record(name: str) -> None:
    cache.set(HEARTBEAT_KEY.format(name), timezone.now().isoformat(), timeout=None)


def heartbeat_last(name: str) -> dt.datetime | None:
    value = cache.get(HEARTBEAT_KEY.format(name))
    return dt.datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]
    beat_last: dt.datetime | None
    jobs: list[jobs.JobStatus]

    @property
    def ready(self) -> bool:
        return all(value == OK for value in self.checks.values())

    def as_json(self) -> dict:
        return {
            "status": "ok" if self.ready else "unavailable",
            "checks": self.checks,
            "beat_last_heartbeat": self.beat_last.isoformat() if self.beat_last else None,
            "jobs": [
                {
                    "job": status.name,
                    "period": status.last.period if status.last else None,
                    "outcome": status.last.outcome if status.last else None,
                    "started_at": status.last.started_at.isoformat() if status.last else None,
                    "finished_at": status.last.finished_at.isoformat()
                    if status.last and status.last.finished_at
                    else None,
                }
                for status in self.jobs
            ],
        }


def _error(exc: BaseException) -> str:
    return f"error: {exc.__class__.__name__}"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "not ready"
        return _error(exc)
    return OK


def _broker() -> str:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception as exc:
        return _error(exc)
    return OK


def _worker() -> str:
    from portal.celery import app

    try:
        replies = app.control.ping(timeout=PING_TIMEOUT)
    except Exception as exc:
        return _error(exc)
    return OK if replies else _NO_WORKER


def _beat(last: dt.datetime | None) -> str:
    if last is None:
        return _NO_HEARTBEAT
    if timezone.now() - last > BEAT_STALE_AFTER:
        return f"{_STALE_BEAT}{last:%Y-%m-%d %H:%M:%S} UTC"
    return OK


def problem_label(value: str) -> str:
    """A failed check's value (English, as /readyz answers it) for people, in their language."""
    if value == _NO_WORKER:
        return gettext("no worker answered a ping")
    if value == _NO_HEARTBEAT:
        return gettext("the scheduler has sent no heartbeat yet")
    if value == _NO_BROKER:
        return gettext("the broker is unavailable")
    if value.startswith(_STALE_BEAT):
        last = dt.datetime.strptime(value.removeprefix(_STALE_BEAT), "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.UTC)
        local = timezone.localtime(last)
        when = f"{date_format(local, 'DATETIME_FORMAT')} {date_format(local, 'T')}"
        return gettext("the scheduler's last heartbeat was at %(when)s") % {"when": when}
    if value.startswith("error: "):
        return gettext("error (%(error)s)") % {"error": value.removeprefix("error: ")}
    return value


def readiness() -> Readiness:
    """Every check; without a broker (embedded mode, eager tasks) there is no worker or beat to check."""
    checks = {"database": _database()}
    beat_last = None
    if settings.REDIS_URL:
        checks["broker"] = _broker()
        checks["worker"] = _worker() if checks["broker"] == OK else _NO_BROKER
        try:
            beat_last = heartbeat_last(BEAT)
            checks["beat"] = _beat(beat_last)
        except Exception as exc:
            checks["beat"] = _error(exc)
    try:
        last = jobs.last_runs() if checks["database"] == OK else []
    except Exception:
        last = []
    return Readiness(checks=checks, beat_last=beat_last, jobs=last)
