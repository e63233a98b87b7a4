"""Settings come from the environment and fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_MODE", "SECRET_KEY"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_environment_means_embedded_sqlite():
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_url_selects_postgresql():
    result = _load_settings(DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize("bad", ["not a url", "nosuchdb://x/y", "postgres://"])
def test_bad_database_url_stops_startup_naming_the_variable(bad):
    result = _load_settings(DATABASE_URL=bad)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    "bad", ["http://127.0.0.1:6379", "redis://", "redis://127.0.0.1:notaport/0", "redis://127.0.0.1:6379/x"]
)
def test_bad_redis_url_stops_startup_naming_the_variable(bad):
    result = _load_settings(REDIS_URL=bad)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_mode_requires_a_secret_key():
    result = _load_settings(PORTAL_MODE="production", ALLOWED_HOSTS="portal.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unknown_mode_is_refused():
    result = _load_settings(PORTAL_MODE="staging")
    assert result.returncode != 0
    assert "PORTAL_MODE" in result.stderr


def test_redis_url_switches_celery_from_eager_to_broker():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    eager = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    broker = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": "redis://127.0.0.1:6379/9"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert eager.stdout.split() == ["True", "memory://"]
    assert broker.stdout.split() == ["False", "redis://127.0.0.1:6379/9"]


def _settings_value(expression: str, **env: str) -> subprocess.CompletedProcess:
    """Load the settings with `env` only (plus PATH etc.) and print `expression` (of `s`, the settings)."""
    drop = ("DATABASE_", "REDIS_", "PORTAL_", "EMAIL_", "SECRET_KEY", "TRUSTED_", "SENTRY_", "LOG_", "DEFAULT_FROM")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s\n"
            f"v = ({expression})\nprint(v if isinstance(v, str) else repr(v))",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_full_smtp_settings_come_from_the_environment():
    result = _settings_value(
        "s.EMAIL_BACKEND, s.EMAIL_TRANSPORT_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, s.DEFAULT_FROM_EMAIL",
        EMAIL_TRANSPORT="smtp",
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="portal",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="7.5",
        DEFAULT_FROM_EMAIL="Partner portal <partners@example.com>",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "('portal.mail.OutboxBackend', 'django.core.mail.backends.smtp.EmailBackend', 'smtp.example.com', 587, "
        "'portal', 's3cret', True, False, 7.5, 'Partner portal <partners@example.com>')"
    )


def test_mail_defaults_are_console_in_development_and_smtp_in_production():
    dev = _settings_value("s.EMAIL_TRANSPORT_BACKEND, s.EMAIL_PORT, s.EMAIL_TIMEOUT")
    prod = _settings_value(
        "s.EMAIL_TRANSPORT_BACKEND", PORTAL_MODE="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="portal.example.com"
    )
    assert dev.stdout.strip() == "('django.core.mail.backends.console.EmailBackend', 25, 10)"
    assert prod.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", prod.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, ["EMAIL_USE_TLS", "EMAIL_USE_SSL"]),
        ({"EMAIL_USE_TLS": "maybe"}, ["EMAIL_USE_TLS"]),
        ({"EMAIL_PORT": "smtp"}, ["EMAIL_PORT"]),
        ({"EMAIL_PORT": "70000"}, ["EMAIL_PORT"]),
        ({"EMAIL_TIMEOUT": "0"}, ["EMAIL_TIMEOUT"]),
        ({"EMAIL_TIMEOUT": "soon"}, ["EMAIL_TIMEOUT"]),
        ({"DEFAULT_FROM_EMAIL": "partners at example"}, ["DEFAULT_FROM_EMAIL"]),
        ({"EMAIL_HOST_PASSWORD": "s3cret"}, ["EMAIL_HOST_PASSWORD", "EMAIL_HOST_USER"]),
        ({"EMAIL_TRANSPORT": "sendmail"}, ["EMAIL_TRANSPORT"]),
        ({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}, ["EMAIL_BACKEND", "EMAIL_TRANSPORT"]),
        ({"TRUSTED_PROXY_COUNT": "-1"}, ["TRUSTED_PROXY_COUNT"]),
        ({"TRUSTED_PROXY_COUNT": "one"}, ["TRUSTED_PROXY_COUNT"]),
        ({"LOG_FORMAT": "xml"}, ["LOG_FORMAT"]),
        ({"LOG_LEVEL": "loud"}, ["LOG_LEVEL"]),
        ({"SENTRY_DSN": "not-a-dsn"}, ["SENTRY_DSN"]),
        ({"PORTAL_URL": "partners.example.com"}, ["PORTAL_URL"]),
    ],
)
def test_bad_operations_settings_stop_startup_naming_the_variables(env, named):
    result = _settings_value("s.EMAIL_PORT", **env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last
    for name in named:
        assert name in last


def test_trusted_proxy_count_defaults_to_zero_and_is_read_as_a_number():
    assert _settings_value("s.TRUSTED_PROXY_COUNT").stdout.strip() == "0"
    assert _settings_value("s.TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"


PG = "postgres://postgres@127.0.0.1:5432/postgres"
DB = "s.DATABASES['default']"


def test_plain_postgres_keeps_connections_with_a_connect_timeout():
    result = _settings_value(
        f"{DB}['CONN_MAX_AGE'], {DB}['OPTIONS'], {DB}.get('DISABLE_SERVER_SIDE_CURSORS')", DATABASE_URL=PG
    )
    assert result.stdout.strip() == "(60, {'connect_timeout': 5}, False)", result.stderr


def test_pgbouncer_in_transaction_mode_disables_server_side_cursors_and_persistent_connections():
    result = _settings_value(
        f"{DB}['CONN_MAX_AGE'], {DB}['DISABLE_SERVER_SIDE_CURSORS'], {DB}['OPTIONS']",
        DATABASE_URL=PG,
        DATABASE_POOLER="pgbouncer",
    )
    assert result.stdout.strip() == "(0, True, {'connect_timeout': 5})", result.stderr


def test_native_pool_is_configured_and_serves_queries():
    code = (
        f"{DB}['CONN_MAX_AGE'], {DB}['OPTIONS']['pool'], "
        "(lambda c: (c.execute('SELECT 1'), c.fetchone())[1])(__import__('django.db').db.connection.cursor())"
    )
    result = _settings_value(code, DATABASE_URL=PG, DATABASE_POOL="1", DATABASE_POOL_SIZE="8")
    assert result.stdout.strip() == "(0, {'min_size': 1, 'max_size': 8, 'timeout': 10}, (1,))", result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": PG, "DATABASE_POOLER": "pgpool"}, ["DATABASE_POOLER"]),
        (
            {"DATABASE_URL": PG, "DATABASE_POOLER": "pgbouncer", "DATABASE_POOL": "1"},
            ["DATABASE_POOLER", "DATABASE_POOL"],
        ),
        ({"DATABASE_POOL": "1"}, ["DATABASE_POOL", "PostgreSQL"]),
        ({"DATABASE_URL": PG, "DATABASE_POOL": "1", "DATABASE_POOL_SIZE": "0"}, ["DATABASE_POOL_SIZE"]),
        ({"DATABASE_URL": PG, "DATABASE_CONNECT_TIMEOUT": "never"}, ["DATABASE_CONNECT_TIMEOUT"]),
    ],
)
def test_bad_pooling_settings_stop_startup_naming_the_variables(env, named):
    result = _settings_value("1", **env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    for name in named:
        assert name in last


def test_sentry_is_off_without_a_dsn_and_sends_no_personal_data_with_one():
    code = "(lambda c: (c.is_active(), c.options['send_default_pii'], c.options['max_request_body_size'], c.options['include_local_variables']))(__import__('sentry_sdk').get_client())"
    off = _settings_value(code)
    on = _settings_value(code, SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert off.stdout.strip().startswith("(False,"), off.stderr
    assert on.stdout.strip() == "(True, False, 'never', False)", on.stderr


def test_logs_are_json_lines_in_production_and_key_value_in_development():
    code = "s.LOGGING['handlers']['console']['formatter']"
    prod = _settings_value(code, PORTAL_MODE="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="portal.example.com")
    assert prod.stdout.strip() == "json", prod.stderr
    assert _settings_value(code).stdout.strip() == "text"
    assert _settings_value(code, LOG_FORMAT="json").stdout.strip() == "json"
