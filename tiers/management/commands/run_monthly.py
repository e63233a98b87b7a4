"""`manage.py run_monthly --month YYYY-MM`: evaluate a month and apply promotions."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from portal.months import parse_month
from tiers import services
from tiers.management.commands._base import refusals


class Command(BaseCommand):
    help = "Evaluate every solutions partner for a month and promote (never demote). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, month: str, **options):
        try:
            first_day = parse_month(month)
        except ValueError:
            raise CommandError(f"--month must be YYYY-MM, got {month!r}") from None
        with refusals():
            # An operator's explicit run evaluates even when the month's MRR is not marked complete.
            result = services.month_evaluate(month=first_day, actor=f"command (os user {getpass.getuser()})")
        if not result.ran:
            self.stdout.write(f"{month} was already evaluated (run {result.run.pk}); nothing changed.")
            return
        counts = result.counts
        self.stdout.write(
            f"Evaluated {month} with rule set {counts['rule_set']!r}: "
            f"{counts['partners']} partners, {counts['promoted']} promoted."
        )
