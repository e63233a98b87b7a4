"""The job ledger moved to `portal.JobRun` (0009): drop the content type and permissions `tiers.jobrun` left.

Django keeps a removed model's content type; its permissions then showed in the group and user
permission lists as an untranslatable "jobrun | Can add job run".
"""

from django.db import migrations


def remove_stale_jobrun(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label="tiers", model="jobrun").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0006_job_run_ledger"),
        ("tiers", "0010_field_names_for_people"),
    ]

    operations = [migrations.RunPython(remove_stale_jobrun, migrations.RunPython.noop)]
