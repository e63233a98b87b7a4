from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import apps as portal_apps


class TiersConfig(portal_apps.FeatureAppConfig):
    name = "tiers"
    verbose_name = _("Tiers and points")
