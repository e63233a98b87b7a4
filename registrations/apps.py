from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        # Registers what the home pages show as needing attention (portal.home).
        from portal.history import history_source_register
        from registrations import (
            home,  # noqa: F401
            overview,  # noqa: F401  (the staff home's sections)
            panels,  # noqa: F401  (the panel beside a partner's tier)
        )
        from registrations.selectors import partner_history_items

        history_source_register(partner_history_items)
