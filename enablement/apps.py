from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnablementConfig(AppConfig):
    name = "enablement"
    verbose_name = _("Enablement and recognition")

    def ready(self) -> None:
        # Registers what the home pages show as needing attention (portal.home).
        from enablement import (
            home,  # noqa: F401
            overview,  # noqa: F401  (the staff home's sections)
        )
        from enablement.selectors import partner_history_items
        from portal.history import history_source_register

        history_source_register(partner_history_items)
