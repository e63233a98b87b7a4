from __future__ import annotations

from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "tiers"

    def ready(self) -> None:
        # Registers what the home pages show as needing attention (portal.home).
        from tiers import home  # noqa: F401
