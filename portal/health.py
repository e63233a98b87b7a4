"""Liveness: can this web node serve pages? Only the database decides.

Pages, login and registrations work without Redis (the cache, the broker), so a
Redis outage must not make a balancer pull every web node; the broker, workers and
beat are reported by the readiness view, not here.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "cannot serve"
        logger.warning("liveness: database check failed: %s", exc.__class__.__name__)
        return False, f"error: {exc.__class__.__name__}"
    return True, "ok"


def readiness_response() -> JsonResponse:
    """Readiness: database, broker, worker and beat heartbeats, last run of each job; 503 when a check fails."""
    from portal.status import readiness

    result = readiness()
    response = JsonResponse(result.as_json(), status=200 if result.ready else 503)
    add_never_cache_headers(response)
    return response


def liveness() -> JsonResponse:
    ok, database = database_ok()
    response = JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": {"database": database}}, status=200 if ok else 503
    )
    add_never_cache_headers(response)
    return response
