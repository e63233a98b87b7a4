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
