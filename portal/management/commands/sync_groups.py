"""`manage.py sync_groups`: re-create the named staff groups and their permissions (after adding models)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.core.management.base import BaseCommand

from portal.access import GROUPS, groups_sync


class Command(BaseCommand):
    help = "Create or refresh the staff groups (Programme managers, Reviewers, Partner operations, Auditors)."

    def handle(self, *args, **options):
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        groups_sync()
        self.stdout.write(f"synced {len(GROUPS)} groups")
