from __future__ import annotations

from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "enablement"

    def ready(self) -> None:
        # Registers what the home pages show as needing attention (portal.home).
        from enablement import home  # noqa: F401
