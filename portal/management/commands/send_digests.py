"""`manage.py send_digests [--on YYYY-MM-DD]`: the daily digest of waiting decisions, once per day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal import jobs
from portal.notifications import DIGEST_JOB, digests_send


class Command(BaseCommand):
    help = (
        "Email every CAM and reviewer who chose the daily digest everything waiting for their decision. "
        "Recorded in the run ledger under the day: a day already sent (by beat or by hand) sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to send for, YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args, on: str | None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else timezone.now().astimezone(dt.UTC).date()
        except ValueError as exc:
            raise CommandError(f"--on must be a date as YYYY-MM-DD; got {on!r}") from exc
        outcome = jobs.job_run(
            job=DIGEST_JOB, period=day.isoformat(), work=lambda run: digests_send(day=day), actor="send_digests"
        )
        if not outcome.ran:
            self.stdout.write(f"{day.isoformat()}: already sent ({outcome.counts.get('digests', 0)} digest(s))")
            return
        self.stdout.write(f"{day.isoformat()}: {outcome.counts['digests']} digest(s) sent")
