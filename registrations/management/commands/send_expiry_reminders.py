"""`manage.py send_expiry_reminders [--on YYYY-MM-DD]`: reminder emails before expiry, once per expiry date."""

from __future__ import annotations

from registrations.management.commands._daily import DailyJobCommand
from registrations.services import expiry_reminders_send


class Command(DailyJobCommand):
    help = "Email partners about domain registrations expiring within the reminder window."

    def handle(self, *args, on: str | None, **options):
        day = self.day(on)
        count = expiry_reminders_send(on=day)
        self.stdout.write(f"{day.isoformat()}: {count} reminder(s) sent")
