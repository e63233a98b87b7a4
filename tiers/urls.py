from __future__ import annotations

app_name = "tiers"
urlpatterns: list = []
