"""Seed the emerging-market countries of SPEC §3.3 (configuration, editable in the admin)."""

from django.db import migrations

GROUPS = {
    "India": ["IN"],
    # All Latin American countries: the 20 sovereign states and Puerto Rico.
    "Latin America": [
        "AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "SV", "GT",
        "HT", "HN", "MX", "NI", "PA", "PY", "PE", "PR", "UY", "VE",
    ],
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
