"""`manage.py import_partners PATH [--encoding NAME]`: upsert partners from CSV
(partner_id,name,kind,country,joined_on[,tier])."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tiers import services
from tiers.management.commands._base import add_file_arguments, open_text, refusals


class Command(BaseCommand):
    help = "Create or update partners from a CSV file; the whole file or nothing."

    def add_arguments(self, parser):
        add_file_arguments(parser)

    def handle(self, *args, path: str, encoding: str | None, **options):
        with open_text(path, encoding) as lines, refusals(path):
            counts = services.partner_import(lines=lines)
        self.stdout.write(
            f"Partners imported: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['tier_changes']} tier changes."
        )
