from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import apps as portal_apps


class RegistrationsConfig(portal_apps.FeatureAppConfig):
    name = "registrations"
    verbose_name = _("Registrations")
    registers = ("home", "overview", "panels")
