"""`manage.py import_mrr PATH [--encoding NAME]`: import monthly customer MRR (streamed, all or nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tiers import services
from tiers.management.commands._base import add_file_arguments, open_text, refusals


class Command(BaseCommand):
    help = (
        "Import MRR rows (partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr); "
        "a row for an existing (partner, month, customer_domain) replaces it."
    )

    def add_arguments(self, parser):
        add_file_arguments(parser)

    def handle(self, *args, path: str, encoding: str | None, **options):
        with open_text(path, encoding) as lines, refusals(path):
            rows = services.mrr_import(lines=lines)
        self.stdout.write(f"MRR imported: {rows} rows.")
