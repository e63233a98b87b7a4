from __future__ import annotations

from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"

    def ready(self) -> None:
        # Registers what the home pages show as needing attention (portal.home).
        from registrations import home  # noqa: F401
