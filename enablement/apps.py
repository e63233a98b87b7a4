from __future__ import annotations

from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "enablement"

    def ready(self) -> None:
        from enablement.selectors import partner_history_items
        from portal.history import history_source_register

        history_source_register(partner_history_items)
