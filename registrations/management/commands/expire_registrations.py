"""`manage.py expire_registrations [--on YYYY-MM-DD]`: the daily expiry job, idempotent."""

from __future__ import annotations

from registrations.management.commands._daily import DailyJobCommand
from registrations.services import registrations_expire


class Command(DailyJobCommand):
    help = "Expire registered domains whose expiry date is on or before the given day."

    def handle(self, *args, on: str | None, **options):
        day = self.day(on)
        count = registrations_expire(on=day)
        self.stdout.write(f"{day.isoformat()}: {count} registration(s) expired")
