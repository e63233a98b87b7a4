"""Persona fixtures shared by every test suite (STYLE.md: Tests)."""

from __future__ import annotations

import os

import pytest

from portal.models import Role
from tests.factories import CamFactory, PartnerFactory, PartnerUserFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"


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


def redis_url_or_skip() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: this test needs a real Redis (CI sets it)")
    return url
