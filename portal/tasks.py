"""Celery tasks of `portal`: sending the email outbox."""

from __future__ import annotations

from celery import shared_task

from portal import services


@shared_task(name="portal.tasks.send_emails", ignore_result=True)
def send_emails(ids: list[int] | None = None) -> dict[str, int]:
    """Send the given just-queued messages, or (from beat, every minute) every message that is due."""
    return services.outgoing_emails_flush(ids=ids)
