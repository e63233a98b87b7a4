from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal import apps as portal_apps


class CommunityConfig(portal_apps.FeatureAppConfig):
    name = "community"
    verbose_name = _("Community programmes")
