from __future__ import annotations

from directory import review_admin  # noqa: F401  client reviews and Global Partner of the Year
