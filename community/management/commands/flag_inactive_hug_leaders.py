"""`manage.py flag_inactive_hug_leaders [--quarter YYYY-Qn]`: flag led HUGs with no free event in a quarter."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from community.services import hug_flag_inactive_leaders, previous_quarter, quarter_bounds


class Command(BaseCommand):
    help = "Flag HUG groups whose leading partner held no free event in a calendar quarter (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="YYYY-Qn; default: the last complete quarter")

    def handle(self, *args, quarter: str | None, **options):
        quarter = quarter or previous_quarter(timezone.localdate())
        try:
            quarter_bounds(quarter)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        flags = hug_flag_inactive_leaders(quarter=quarter)
        self.stdout.write(f"{quarter}: {len(flags)} new flag(s).")
