from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpAppConfig


class PortalConfig(AppConfig):
    default = True  # this module also holds AxesConfig
    name = "portal"
    verbose_name = _("Partners and people")  # its admin group (the portal also holds technical tables, listed apart)

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.timezones import remember_zone
        from portal.two_factor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="portal_two_factor_remember")
        # Not a business rule: remembers which zone the reader sees times in.
        user_logged_in.connect(remember_zone, dispatch_uid="portal.remember_zone")
        # Not a business rule: a person's chosen language becomes the page language at login.
        from portal.middleware import remember_language

        user_logged_in.connect(remember_language, dispatch_uid="portal.remember_language")
        # Registers the daily digest job and gives feature apps `register_waiting`.
        import portal.notifications  # noqa: F401

        # Every `migrate` refreshes the duty groups once all permissions exist, so a model added
        # later (and its permissions) reaches the groups without another data migration.
        post_migrate.connect(_sync_duty_groups, sender=self, dispatch_uid="portal_sync_duty_groups")

        from portal.third_party_messages import translate_group_names

        translate_group_names()


class FeatureAppConfig(AppConfig):
    """A feature app (tiers, registrations, community, enablement): on start it registers what the home
    pages show as needing attention (its `home`), the staff home's sections (its `overview`) and its
    events on a partner's history page (`selectors.partner_history_items`, `portal.history`); an app
    names any further registering modules in `registers` (registrations: the panel beside a partner's tier)."""

    registers: tuple[str, ...] = ("home", "overview")

    def ready(self) -> None:
        from importlib import import_module

        from portal.history import history_source_register

        for module in self.registers:
            import_module(f"{self.name}.{module}")
        history_source_register(import_module(f"{self.name}.selectors").partner_history_items)


def _sync_duty_groups(sender: AppConfig, using: str = "default", **kwargs) -> None:
    from django.contrib.auth.management import create_permissions

    from portal.access import groups_sync

    # Apps after `portal` get their permissions from their own post_migrate later: create them now.
    for app_config in sender.apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    groups_sync()


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the portal's site: the index organised by duty (`portal.admin_site`)."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"


class AxesConfig(AxesAppConfig):
    default = False
    """django-axes with a translated name in the admin (it ships no Japanese catalogue).

    INSTALLED_APPS lists `portal.apps.AxesConfig` instead of `axes`; its field labels
    are translated in the project catalogue (`portal/third_party_messages.py`).
    """

    verbose_name = _("Login lockout")

    def ready(self) -> None:
        super().ready()
        from portal.third_party_messages import translate_axes_records

        translate_axes_records()


class OtpTotpConfig(OtpTotpAppConfig):
    """django-otp's TOTP devices with Japanese names in the admin (django-otp ships no Japanese catalogue).

    INSTALLED_APPS lists it instead of `django_otp.plugins.otp_totp`; the label stays `otp_totp`
    (same migrations and tables). Model and field labels: `portal/third_party_messages.py`.
    """

    default = False
    label = "otp_totp"
    verbose_name = _("Two-factor authenticator apps")

    def ready(self) -> None:
        super().ready()
        from portal.third_party_messages import translate_otp_totp

        translate_otp_totp()


class OtpStaticConfig(OtpStaticAppConfig):
    """django-otp's static devices (the recovery codes), like `OtpTotpConfig`; the label stays `otp_static`."""

    default = False
    label = "otp_static"
    verbose_name = _("Two-factor recovery codes")

    def ready(self) -> None:
        super().ready()
        from portal.third_party_messages import translate_otp_static

        translate_otp_static()
