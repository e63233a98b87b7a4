"""`manage.py import_rules PATH [--draft] [--encoding NAME]`: create or replace a rule set from JSON."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tiers import importers, services
from tiers.management.commands._base import add_file_arguments, open_text, refusals


class Command(BaseCommand):
    help = "Import a rule set (published unless --draft); an unused rule set of the same name is replaced."

    def add_arguments(self, parser):
        add_file_arguments(parser)
        parser.add_argument("--draft", action="store_true", help="import as a draft (not in force)")

    def handle(self, *args, path: str, draft: bool, encoding: str | None, **options):
        with open_text(path, encoding) as file, refusals(path):
            # Numbers become exact Decimals; unknown or repeated keys are refused.
            data = importers.rule_set_document(file.read())
            rule_set = services.rule_set_import(data=data, draft=draft)
        self.stdout.write(
            f"Rule set {rule_set.name!r} ({rule_set.framework}, from {rule_set.effective_from}) "
            f"imported as {rule_set.status}."
        )
