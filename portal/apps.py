from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Partner portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.timezones import remember_zone

        # Not a business rule: remembers which zone the reader sees times in.
        user_logged_in.connect(remember_zone, dispatch_uid="portal.remember_zone")
