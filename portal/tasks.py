"""Portal-wide Celery tasks: sending the email outbox, the hourly catch-up of every
scheduled job and the beat heartbeat."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone

from portal import jobs, services, status


@shared_task(name="portal.tasks.send_emails", ignore_result=True)
def send_emails(ids: list[int] | None = None) -> dict[str, int]:
    """Send the given just-queued messages, or (from beat, every minute) every message that is due."""
    return services.outgoing_emails_flush(ids=ids)


@shared_task(name="portal.tasks.run_due")
def run_due() -> list[dict]:
    """Run every due, not-done job period (portal/jobs.py). Safe to repeat: done periods are skipped."""
    return [asdict(item) for item in jobs.run_due(now=timezone.now(), actor="beat")]


@shared_task(name="portal.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Sent by beat every minute: a recent timestamp proves beat (and a worker) are alive."""
    status.heartbeat_record(status.BEAT)
