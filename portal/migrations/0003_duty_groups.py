"""The named staff groups (duties) and their permissions: see `portal.access.GROUPS`."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from portal.access import groups_sync

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_sync(apps=apps)


def drop_groups(apps, schema_editor):
    from portal.access import GROUP_NAMES

    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0002_history_permissions_protect"),
        ("tiers", "0006_history_permissions_published_by"),
        ("registrations", "0003_append_only_history_protect"),
        ("community", "0002_review_permission_protect"),
        ("enablement", "0002_review_permissions_protect"),
        ("api", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, drop_groups)]
