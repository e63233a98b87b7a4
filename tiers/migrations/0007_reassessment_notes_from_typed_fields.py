from __future__ import annotations

from django.db import migrations


def clear_generated_notes(apps, schema_editor):
    """Reassessments used to store an English sentence; the dashboard now explains them in the reader's language."""
    TierChange = apps.get_model("tiers", "TierChange")
    TierChange.objects.filter(reason="reassessment", note__startswith="highest tier of ").update(note="")


class Migration(migrations.Migration):
    dependencies = [("tiers", "0006_emerging_market_group_choices")]

    operations = [migrations.RunPython(clear_generated_notes, migrations.RunPython.noop)]
