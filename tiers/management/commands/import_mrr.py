"""`manage.py import_mrr PATH`: import monthly customer MRR (streamed, all or nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tiers import services
from tiers.management.commands._base import open_text, refusals


class Command(BaseCommand):
    help = (
        "Import MRR rows (partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr); "
        "a row for an existing (partner, month, customer_domain) replaces it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        with open_text(path) as lines, refusals():
            rows = services.mrr_import(lines=lines)
        self.stdout.write(f"MRR imported: {rows} rows.")
