"""Settings read from the environment.

Every reader fails loudly with the variable's name, so a typo in a deploy
never turns into a silently different configuration.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env_given(name: str) -> str | None:
    """The variable's value, or None when it is unset or blank (the reader's default applies)."""
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw


def _env_number(name: str, raw: str, parse, what: str):
    """`raw` read by `parse` (int, float); anything else fails naming the variable and `what` it must be."""
    try:
        return parse(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {what}; got {raw!r}") from exc


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, *, default: bool) -> bool:
    raw = _env_given(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off); got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _env_given(name)
    if raw is None:
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


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = _env_given(name)
    if raw is None:
        return default
    value = _env_number(name, raw, int, "a whole number")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ImproperlyConfigured(f"{name} must be {bounds}; got {raw!r}")
    return value


def env_seconds(name: str, default: float) -> float:
    """A positive number of seconds (e.g. a timeout)."""
    raw = _env_given(name)
    if raw is None:
        return default
    value = _env_number(name, raw, float, "a number of seconds")
    if not value > 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds; got {raw!r}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
    return value


def env_email(name: str, default: str) -> str:
    """An address, optionally with a display name: `Partner portal <partners@example.com>`."""
    from email.utils import parseaddr

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    raw = env_str(name, default)
    _display, address = parseaddr(raw)
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ImproperlyConfigured(
            f"{name} must be an email address (optionally 'Name <address>'); got {raw!r}"
        ) from exc
    return raw


def env_smtp_security(tls_name: str, ssl_name: str) -> tuple[bool, bool]:
    """EMAIL_USE_TLS (STARTTLS, usually port 587) or EMAIL_USE_SSL (implicit TLS, usually 465), never both."""
    use_tls = env_bool(tls_name, default=False)
    use_ssl = env_bool(ssl_name, default=False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured(
            f"{tls_name} and {ssl_name} are mutually exclusive: set {tls_name}=1 for STARTTLS (port 587) "
            f"or {ssl_name}=1 for implicit TLS (port 465), not both"
        )
    return use_tls, use_ssl


def env_database_pooling(config: dict, *, pooler_name: str, pool_name: str, pool_size_name: str) -> dict:
    """Adapt a DATABASES entry to a connection pooler.

    DATABASE_POOLER=pgbouncer: a transaction-pooling PgBouncer sits between the portal and
    PostgreSQL; server-side cursors (which live across transactions) are turned off and
    connections are not kept by Django (the pooler keeps them).
    DATABASE_POOL=1: Django's own psycopg pool in each process (`psycopg_pool`), which also
    needs CONN_MAX_AGE=0.
    """
    pooler = env_choice(pooler_name, "", ("", "pgbouncer"))
    pool = env_bool(pool_name, default=False)
    if not pooler and not pool:
        return config
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{pooler_name} and {pool_name} need a PostgreSQL DATABASE_URL")
    if pooler and pool:
        raise ImproperlyConfigured(
            f"{pooler_name}={pooler} and {pool_name}=1 are mutually exclusive: "
            "with PgBouncer in transaction mode let PgBouncer pool, without it use Django's pool"
        )
    config = {**config, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "OPTIONS": dict(config.get("OPTIONS", {}))}
    if pooler == "pgbouncer":
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        max_size = env_int(pool_size_name, 4, minimum=1, maximum=1000)
        config["OPTIONS"]["pool"] = {"min_size": 1, "max_size": max_size, "timeout": 10}
    return config
