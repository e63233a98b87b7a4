"""Seed the emerging-market countries of SPEC §3.3 (configuration, editable in the admin)."""

from django.db import migrations

from portal.regions import LATIN_AMERICA

GROUPS = {
    "India": ["IN"],
    # The Latin American countries come from portal.regions, the one list the importer also uses
    # for a partner's region (plain data, safe to import here; see that module before changing it).
    "Latin America": list(LATIN_AMERICA),
    "North Asia": ["CN", "MN", "KR"],
    "Southeast Asia": [
        "BD", "BN", "KH", "HK", "ID", "LA", "MY", "MV", "MM", "NP",
        "PK", "PH", "LK", "SG", "TW", "TH", "TL", "VN",
    ],
}


def add_markets(apps, schema_editor):
    EmergingMarket = apps.get_model("tiers", "EmergingMarket")
    for group, codes in GROUPS.items():
        for code in codes:
            EmergingMarket.objects.update_or_create(country=code, defaults={"group": group, "active": True})


def remove_markets(apps, schema_editor):
    EmergingMarket = apps.get_model("tiers", "EmergingMarket")
    EmergingMarket.objects.filter(country__in=[c for codes in GROUPS.values() for c in codes]).delete()


class Migration(migrations.Migration):
    dependencies = [("tiers", "0002_jobrun_rule_set")]

    operations = [migrations.RunPython(add_markets, remove_markets)]
