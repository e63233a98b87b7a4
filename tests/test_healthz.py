from __future__ import annotations

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_is_up_when_database_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_is_503_when_database_fails(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("portal.views.connection.cursor", broken_cursor)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_healthz_is_503_when_configured_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error:")


def test_healthz_checks_a_real_broker_when_configured(client, settings):
    from conftest import redis_url_or_skip

    settings.REDIS_URL = redis_url_or_skip()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"
