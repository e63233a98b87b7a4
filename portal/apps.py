from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Partner portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.two_factor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="portal_two_factor_remember")
        # Every `migrate` refreshes the duty groups once all permissions exist, so a model added
        # later (and its permissions) reaches the groups without another data migration.
        post_migrate.connect(_sync_duty_groups, sender=self, dispatch_uid="portal_sync_duty_groups")


def _sync_duty_groups(sender: AppConfig, using: str = "default", **kwargs) -> None:
    from django.contrib.auth.management import create_permissions

    from portal.access import groups_sync

    # Apps after `portal` get their permissions from their own post_migrate later: create them now.
    for app_config in sender.apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    groups_sync()
