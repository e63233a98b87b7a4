"""Shared `--on YYYY-MM-DD` handling of the daily-job commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class DailyJobCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to run for, YYYY-MM-DD (default: today)")

    def day(self, value: str | None) -> dt.date:
        if not value:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"--on must be a date as YYYY-MM-DD; got {value!r}") from exc
