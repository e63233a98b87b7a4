from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default = True  # this module also holds AxesConfig
    name = "portal"
    verbose_name = _("Partner portal")


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
