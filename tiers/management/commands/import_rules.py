"""`manage.py import_rules PATH [--draft]`: create or replace a rule set from JSON."""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from tiers import services
from tiers.management.commands._base import open_text, refusals


class Command(BaseCommand):
    help = "Import a rule set (published unless --draft); an unused rule set of the same name is replaced."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--draft", action="store_true", help="import as a draft (not in force)")

    def handle(self, *args, path: str, draft: bool, **options):
        with open_text(path) as file:
            try:
                # JSON numbers, if any, become exact Decimals, never floats.
                data = json.load(file, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise CommandError(f"rejected, nothing written: not valid JSON: {exc}") from None
        with refusals():
            rule_set = services.rule_set_import(data=data, draft=draft)
        self.stdout.write(
            f"Rule set {rule_set.name!r} ({rule_set.framework}, from {rule_set.effective_from}) "
            f"imported as {rule_set.status}."
        )
