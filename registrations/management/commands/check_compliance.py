"""`manage.py check_compliance [--on YYYY-MM-DD]`: open/close commission holds, idempotent."""

from __future__ import annotations

import datetime as dt

from registrations.management.commands._daily import DailyJobCommand
from registrations.services import compliance_check


class Command(DailyJobCommand):
    help = "After the compliance deadline, hold commissions of partners over their cap; release them once back within."

    def run(self, day: dt.date) -> str:
        result = compliance_check(on=day)
        return f"{result['opened']} hold(s) opened, {result['closed']} closed"
