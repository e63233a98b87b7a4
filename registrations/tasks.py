"""Daily jobs (beat schedule in portal/celery.py): thin, take a date, call one service, safe to repeat."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from registrations import services


def _day(on: str | None) -> dt.date:
    return dt.date.fromisoformat(on) if on else timezone.localdate()


@shared_task(name="registrations.tasks.expire_registrations")
def expire_registrations(on: str | None = None) -> int:
    return services.registrations_expire(on=_day(on))


@shared_task(name="registrations.tasks.check_compliance")
def check_compliance(on: str | None = None) -> dict[str, int]:
    return services.compliance_check(on=_day(on))


@shared_task(name="registrations.tasks.send_expiry_reminders")
def send_expiry_reminders(on: str | None = None) -> int:
    return services.expiry_reminders_send(on=_day(on))
