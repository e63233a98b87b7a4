from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import apps as portal_apps


class DirectoryConfig(portal_apps.FeatureAppConfig):
    name = "directory"
    verbose_name = _("Solutions Directory")
    registers = ("home", "metrics")
