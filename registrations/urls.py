from __future__ import annotations

app_name = "registrations"
urlpatterns: list = []
