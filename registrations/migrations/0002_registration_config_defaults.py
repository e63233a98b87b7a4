from django.db import migrations


def create_config(apps, schema_editor):
    # The one configuration row, with the seed's numbers as the model's defaults (SPEC §4.1).
    apps.get_model("registrations", "RegistrationConfig").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]

    operations = [migrations.RunPython(create_config, migrations.RunPython.noop)]
