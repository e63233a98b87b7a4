from __future__ import annotations

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        # Registers what the home pages show as needing attention (portal.home).
        from community import home  # noqa: F401
