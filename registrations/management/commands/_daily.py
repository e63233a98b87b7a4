"""The daily-job commands: `--on YYYY-MM-DD` (default today), run the job for that day, print one line."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.commands import day_option


class DailyJobCommand(BaseCommand):
    """Subclasses say what the job does for a day in `run(day)`, which returns the line to print after the date."""

    def run(self, day: dt.date) -> str:
        raise NotImplementedError

    def handle(self, *args, on: str | None, **options):
        day = self.day(on)
        self.stdout.write(f"{day.isoformat()}: {self.run(day)}")

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to run for, YYYY-MM-DD (default: today)")

    def day(self, value: str | None) -> dt.date:
        return day_option(value or None) or timezone.localdate()
