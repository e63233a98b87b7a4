"""`manage.py expire_registrations [--on YYYY-MM-DD]`: the daily expiry job, idempotent."""

from __future__ import annotations

import datetime as dt

from registrations.management.commands._daily import DailyJobCommand
from registrations.services import registrations_expire


class Command(DailyJobCommand):
    help = "Expire registered domains whose expiry date is on or before the given day."

    def run(self, day: dt.date) -> str:
        return f"{registrations_expire(on=day)} registration(s) expired"
