from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Partner portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal.two_factor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="portal_two_factor_remember")
