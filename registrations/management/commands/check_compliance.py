"""`manage.py check_compliance [--on YYYY-MM-DD]`: open/close commission holds, idempotent."""

from __future__ import annotations

from registrations.management.commands._daily import DailyJobCommand
from registrations.services import compliance_check


class Command(DailyJobCommand):
    help = "After the compliance deadline, hold commissions of partners over their cap; release them once back within."

    def handle(self, *args, on: str | None, **options):
        day = self.day(on)
        result = compliance_check(on=day)
        self.stdout.write(f"{day.isoformat()}: {result['opened']} hold(s) opened, {result['closed']} closed")
