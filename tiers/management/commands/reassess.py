"""`manage.py reassess --on YYYY-MM-DD [--force --reason "…"]`: the semiannual reassessment as of a date."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand

from portal.commands import day_option
from tiers import services
from tiers.management.commands._base import refusals


class Command(BaseCommand):
    help = (
        "Set each partner's tier to the highest achieved in the six months before (15 January / 15 July). "
        "Changes effective after the date stand. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", required=True, help="YYYY-MM-DD: 15 January or 15 July")
        parser.add_argument(
            "--force", action="store_true", help="run on a date that is not a reassessment date (audited)"
        )
        parser.add_argument("--reason", default="", help="why the off-cycle run is forced (required with --force)")
        parser.add_argument("--by", default="", help="who forces it (default: the operating-system user)")

    def handle(self, *args, on: str, force: bool, reason: str, by: str, **options):
        day = day_option(on)
        actor = by or f"command (os user {getpass.getuser()})"
        with refusals():
            result = services.reassessment_run(on=day, force=force, why=reason, actor=actor)
        if not result.ran:
            self.stdout.write(f"The reassessment of {on} already ran (run {result.run.pk}); nothing changed.")
            return
        counts = result.counts
        kept = counts.get("kept_later_change", 0)
        self.stdout.write(
            f"Reassessed {counts['partners']} partners on {on}: {counts['changed']} changed "
            f"({counts['up']} up, {counts['down']} down)."
            + (f" {kept} keep the tier they got after {on} (recorded in their history at {on})." if kept else "")
        )
