from __future__ import annotations

app_name = "enablement"
urlpatterns: list = []
