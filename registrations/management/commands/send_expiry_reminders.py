"""`manage.py send_expiry_reminders [--on YYYY-MM-DD]`: reminder emails before expiry, once per expiry date."""

from __future__ import annotations

import datetime as dt

from registrations.management.commands._daily import DailyJobCommand
from registrations.services import expiry_reminders_send


class Command(DailyJobCommand):
    help = "Email partners about domain registrations expiring within the reminder window."

    def run(self, day: dt.date) -> str:
        return f"{expiry_reminders_send(on=day)} reminder(s) sent"
