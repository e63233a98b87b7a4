"""Liveness for a load balancer: plain HTTP, any Host, only the database decides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import OperationalError
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

# What production mode turns on (portal/settings.py), as far as a health probe is concerned.
PRODUCTION_LIKE = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["portal.example.com"],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
}


def test_healthz_is_up_when_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("portal.health.connection.cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "error: OperationalError"}}


@override_settings(**PRODUCTION_LIKE)
def test_balancer_probe_over_plain_http_with_its_own_ip_as_host_gets_200(client):
    # The same request to a page is redirected to HTTPS / refused for its Host, as it should be…
    assert client.get("/accounts/login/", HTTP_HOST="portal.example.com").status_code == 301
    assert client.get("/accounts/login/", HTTP_HOST="10.0.3.17:8000", secure=True).status_code == 400
    # …but the health probe is answered on its merits.
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    # Readiness too: answered on its merits (the database check is in it), not redirected or refused.
    ready = client.get("/readyz", HTTP_HOST="10.0.3.17:8000")
    assert ready.status_code in (200, 503)
    assert ready.json()["checks"]["database"] == "ok"


@override_settings(
    **PRODUCTION_LIKE,
    REDIS_URL="redis://127.0.0.1:1/0",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}},
)
def test_redis_down_keeps_the_node_alive(client):
    # Pages, login and registrations work without Redis: a balancer must not pull the node.
    response = client.get("/healthz", HTTP_HOST="10.0.3.17")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@override_settings(**PRODUCTION_LIKE)
def test_database_down_in_production_mode_is_503_not_a_redirect(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("portal.health.connection.cursor", broken_cursor)
    response = client.get("/healthz", HTTP_HOST="10.0.3.17")
    assert response.status_code == 503


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def _probe_with_real_production_settings(**env: str) -> tuple[int, dict]:
    """Start Django with PORTAL_MODE=production exactly as deployed and probe /healthz like a balancer."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', HTTP_HOST='10.0.3.17:8000');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "PORTAL_", "EMAIL_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **keep,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_MODE": "production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "portal.example.com",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    return status, body


def test_real_production_settings_with_redis_down_answer_200():
    status, body = _probe_with_real_production_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres", REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert (status, body["checks"]) == (200, {"database": "ok"})


def test_real_production_settings_with_database_down_answer_503():
    status, body = _probe_with_real_production_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:1/portal", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert (status, body["status"]) == (503, "unavailable")
