"""`manage.py import_mrr PATH [--encoding NAME] [--complete | --correct]`: import monthly customer MRR (streamed, all or nothing)."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand

from tiers import services
from tiers.management.commands._base import add_file_arguments, open_text, refusals


class Command(BaseCommand):
    help = (
        "Import MRR rows (partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr); "
        "a row for an existing (partner, month, customer_domain) replaces it. A month already evaluated is "
        "refused unless --correct."
    )

    def add_arguments(self, parser):
        add_file_arguments(parser)
        parser.add_argument(
            "--complete",
            action="store_true",
            help="mark every month in the file complete: its scheduled evaluation may then run",
        )
        parser.add_argument(
            "--correct",
            action="store_true",
            help="import corrected MRR for evaluated months, re-evaluate them and every later evaluated month "
            "(promotes only, recorded as 'correction' in tier history)",
        )

    def handle(self, *args, path: str, encoding: str | None, complete: bool, correct: bool, **options):
        by = f"import_mrr (os user {getpass.getuser()})"
        with open_text(path, encoding) as lines, refusals(path):
            if correct:
                result = services.mrr_correct(lines=lines, by=by)
            else:
                rows = services.mrr_import(lines=lines, complete=complete, by=by)
        if correct:
            counts = result.counts
            months = ", ".join(counts["months"]) or "none"
            self.stdout.write(
                f"MRR correction imported: {counts['rows']} rows; re-evaluated: {months}; "
                f"{counts['changed']} partners promoted by the correction (run {result.run.pk})."
            )
            return
        self.stdout.write(f"MRR imported: {rows} rows." + (" Months marked complete." if complete else ""))
