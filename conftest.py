"""Persona fixtures shared by every test suite (STYLE.md: Tests)."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

from portal.models import Role
from registrations.models import RegistrationStatus
from tests.browser_login import log_in
from tests.factories import (
    TEST_PASSWORD,
    CamFactory,
    DomainRegistrationFactory,
    PartnerFactory,
    PartnerUserFactory,
    StaffFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Mail goes through the outbox as in production; its transport is Django's test outbox.
    settings.EMAIL_BACKEND = "portal.mail.OutboxBackend"
    settings.EMAIL_TRANSPORT_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    # One Redis serves both test workers and outlives every test: each test keeps its own cache keys
    # (rate-limit counters, cached directory pages), so no test sees another's and none needs a FLUSHDB.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def _tasks_run_eagerly():
    """Tasks enqueued by the code under test run in the test (a test that needs a real
    worker switches this off, see tiers/tests/test_celery_worker.py)."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def cam(db):
    return CamFactory(email="cam@example.test", full_name="Casey Cam")


@pytest.fixture
def other_cam(db):
    return CamFactory(email="other-cam@example.test", full_name="Otto Cam")


@pytest.fixture
def cc(db):
    return UserFactory(email="cc@example.test", role=Role.CC)


@pytest.fixture
def partner(cam, cc):
    return PartnerFactory(partner_id="P10001", name="Own Agency", cam=cam, cc=cc, country="JP", region="japan")


@pytest.fixture
def other_partner(other_cam):
    return PartnerFactory(partner_id="P20002", name="Other Agency", cam=other_cam)


@pytest.fixture
def partner_admin(partner):
    return PartnerUserFactory(email="admin@own.example.test", partner=partner, role=Role.PARTNER_ADMIN)


@pytest.fixture
def partner_member(partner):
    return PartnerUserFactory(email="member@own.example.test", partner=partner, role=Role.PARTNER_MEMBER)


@pytest.fixture
def other_partner_user(other_partner):
    return PartnerUserFactory(email="admin@other.example.test", partner=other_partner, role=Role.PARTNER_ADMIN)


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.test")


@pytest.fixture
def client_for(client):
    """Log a persona in: `client_for(user)` returns the test client, signed in."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def fill(db):
    """`fill(partner, n, status=…)`: give a partner n registrations at once."""

    def make(partner, n: int, status: str = RegistrationStatus.REGISTERED, **extra):
        if status == RegistrationStatus.REGISTERED:
            extra.setdefault("expires_on", dt.date(2030, 1, 1))
        return DomainRegistrationFactory.create_batch(n, partner=partner, status=status, **extra)

    return make


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: this test needs a real Redis (CI sets it)")
    return url


# --- Real browser (Playwright on Debian's Chromium; never a downloaded browser) ---

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run there unless told it is safe (it is: one thread per test).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (CI does)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_login(live_server, page):
    """Log a persona in through the real login form; returns the Playwright page."""

    def login(user, password: str = TEST_PASSWORD):
        return log_in(page, live_server.url, user, password=password)

    return login


@pytest.fixture
def celery_app_on_redis(settings):
    """The portal's Celery app sending to the real Redis (not eager), for tests that start a real worker."""
    url = redis_url_or_skip()
    settings.REDIS_URL = url
    import portal.tasks  # noqa: F401  (registers the tasks with the app)
    import tiers.tasks  # noqa: F401
    from portal.celery import app

    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.result_backend = url
    yield app
    app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = previous
