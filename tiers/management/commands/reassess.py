"""`manage.py reassess --on YYYY-MM-DD`: the semiannual reassessment as of a date."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tiers import services
from tiers.management.commands._base import refusals


class Command(BaseCommand):
    help = "Set each partner's tier to the highest achieved in the six months before. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--on", required=True, help="YYYY-MM-DD (normally the 15th of January or July)")

    def handle(self, *args, on: str, **options):
        try:
            day = dt.date.fromisoformat(on)
        except ValueError:
            raise CommandError(f"--on must be YYYY-MM-DD, got {on!r}") from None
        with refusals():
            result = services.reassessment_run(on=day)
        if not result.ran:
            self.stdout.write(f"The reassessment of {on} already ran (run {result.run.pk}); nothing changed.")
            return
        counts = result.counts
        self.stdout.write(
            f"Reassessed {counts['partners']} partners on {on}: {counts['changed']} changed "
            f"({counts['up']} up, {counts['down']} down)."
        )
