from __future__ import annotations

from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
