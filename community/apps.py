from __future__ import annotations

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        from community.selectors import partner_history_items
        from portal.history import history_source_register

        history_source_register(partner_history_items)
