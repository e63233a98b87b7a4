"""`manage.py set_tier PARTNER_ID TIER --note TEXT [--on YYYY-MM-DD]`: a manual, audited tier change."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.commands import day_option, partner_option
from tiers import services
from tiers.management.commands._base import refusals


class Command(BaseCommand):
    help = "Set a solutions partner's tier by hand (recorded as a 'manual' tier change)."

    def add_arguments(self, parser):
        parser.add_argument("partner_id")
        parser.add_argument("tier")
        parser.add_argument("--note", required=True, help="why (kept in the tier history)")
        parser.add_argument("--on", help="effective date YYYY-MM-DD (default today)")

    def handle(self, *args, partner_id: str, tier: str, note: str, on: str | None, **options):
        effective_on = day_option(on)
        partner = partner_option(partner_id)
        with refusals():
            change = services.tier_set_manually(
                partner=partner, tier=tier, acting_user=None, note=note, effective_on=effective_on
            )
        if change is None:
            self.stdout.write(f"{partner_id} is already {tier}; nothing changed.")
        else:
            self.stdout.write(f"{partner_id}: {change.from_tier} → {change.to_tier} from {change.effective_on}.")
