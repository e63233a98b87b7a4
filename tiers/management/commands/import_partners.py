"""`manage.py import_partners PATH`: upsert partners from CSV (partner_id,name,kind,country,joined_on[,tier])."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tiers import services
from tiers.management.commands._base import open_text, refusals


class Command(BaseCommand):
    help = "Create or update partners from a CSV file; the whole file or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        with open_text(path) as lines, refusals():
            counts = services.partner_import(lines=lines)
        self.stdout.write(
            f"Partners imported: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['tier_changes']} tier changes."
        )
