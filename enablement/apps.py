from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import apps as portal_apps


class EnablementConfig(portal_apps.FeatureAppConfig):
    name = "enablement"
    verbose_name = _("Enablement and recognition")
    registers = ("home", "overview", "metrics")  # metrics: knowledge values for the tier engine (Phase 2)
