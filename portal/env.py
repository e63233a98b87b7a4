"""Settings read from the environment.

Every reader fails loudly with the variable's name, so a typo in a deploy
never turns into a silently different configuration.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off); got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, *, default_sqlite_path: str) -> dict:
    """DATABASE_URL → a Django DATABASES entry; unset → the embedded SQLite file."""
    raw = env_str(name)
    if not raw:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite_path}
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({exc}); got {raw!r}") from exc
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(
            f"{name} must name an engine and a database, e.g. postgres://user@host:5432/db; got {raw!r}"
        )
    return config


def env_redis_url(name: str) -> str:
    """REDIS_URL: empty means 'no Redis' (eager tasks, local-memory cache)."""
    raw = env_str(name)
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0; got {raw!r}")
    try:
        parsed.port  # noqa: B018 - raises ValueError on a malformed port
        db = parsed.path.lstrip("/")
        if db and not db.isdigit():
            raise ValueError("database must be a number")
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is malformed ({exc}); got {raw!r}") from exc
    return raw
