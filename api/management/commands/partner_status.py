"""`manage.py partner_status PARTNER_ID --json [--on YYYY-MM-DD]`: one partner's status as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from api.status import partner_status
from portal.commands import day_option, partner_option


class Command(BaseCommand):
    help = "Print a partner's tier, snapshots and tier changes as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("partner_id")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON (the only format)")
        parser.add_argument("--on", help="report the tier in effect on this date (YYYY-MM-DD)")

    def handle(self, *args, partner_id: str, as_json: bool, on: str | None, **options):
        if not as_json:
            raise CommandError("--json is required (JSON is the only output format)")
        day = day_option(on)
        partner = partner_option(partner_id)
        self.stdout.write(json.dumps(partner_status(partner, on=day), ensure_ascii=False))
