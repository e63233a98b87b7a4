"""`manage.py reevaluate_accreditations [--date YYYY-MM-DD]`: the 6-monthly accreditation re-evaluation."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from enablement.services import accreditations_reevaluate_due
from portal.commands import day_option


class Command(BaseCommand):
    help = "Re-evaluate every active accreditation whose 6-monthly review is due (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="judge as of this date (default today)")

    def handle(self, *args, date: str | None, **options):
        today = day_option(date or None, option="--date") or timezone.localdate()
        counts = accreditations_reevaluate_due(today=today)
        self.stdout.write(f"{counts['reevaluated']} re-evaluated, {counts['lapsed']} lapsed.")
