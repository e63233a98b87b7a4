"""A real Celery worker for the tests that need one (`celery_app_on_redis`, marked `celery_worker`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def worker_running(app) -> Iterator[None]:
    """A solo-pool worker consumes `app`'s queue while the block runs; the database connections it
    left open are closed after it stops (the transactional test's flush would wait on them)."""
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20):
        yield
    connections.close_all()
