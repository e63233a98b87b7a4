"""Readiness for balancers and people: database, broker, worker and beat heartbeats, last job runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from portal import jobs

BEAT = "beat"
HEARTBEAT_KEY = "portal:heartbeat:{}"
# Beat sends its heartbeat every minute; five missed minutes means it is not running.
BEAT_STALE_AFTER = dt.timedelta(minutes=5)
PING_TIMEOUT = 1.0
OK = "ok"


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
    return OK if replies else "error: no worker answered a ping"


def _beat(last: dt.datetime | None) -> str:
    if last is None:
        return "error: no beat heartbeat yet"
    if timezone.now() - last > BEAT_STALE_AFTER:
        return f"error: last beat heartbeat at {last:%Y-%m-%d %H:%M:%S} UTC"
    return OK


def readiness() -> Readiness:
    """Every check; without a broker (embedded mode, eager tasks) there is no worker or beat to check."""
    checks = {"database": _database()}
    beat_last = None
    if settings.REDIS_URL:
        checks["broker"] = _broker()
        checks["worker"] = _worker() if checks["broker"] == OK else "error: broker unavailable"
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
