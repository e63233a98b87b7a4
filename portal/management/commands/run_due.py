"""`manage.py run_due [--on YYYY-MM-DD]`: run every scheduled job that is due and not done (beat does it hourly)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal import jobs
from portal.commands import day_option
from portal.models import JobOutcome


class Command(BaseCommand):
    help = (
        "Run, in due order, every period of every scheduled job due on or before the date (default: now) "
        "that is not done; print what ran, what waited and why. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="YYYY-MM-DD: everything due by the end of that day (default: now)")

    def handle(self, *args, on: str | None, **options):
        day = day_option(on or None)
        now = timezone.now() if day is None else dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
        results = jobs.run_due(now=now, actor="run_due")
        if not results:
            self.stdout.write("Nothing due: every scheduled job is up to date.")
            return
        for item in results:
            line = f"{item.outcome:8} {item.job} {item.period}"
            self.stdout.write(f"{line}: {item.reason}" if item.reason else line)
        failed = [i for i in results if i.outcome in (JobOutcome.REFUSED, JobOutcome.FAILED)]
        if failed:
            raise CommandError(f"{len(failed)} job period(s) refused or failed; staff were emailed (see the ledger)")
