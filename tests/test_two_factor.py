"""Two-factor sign-in: set up with a QR code, confirmed with a code; then asked after the password."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def code(secret_b32: str, *, steps_back: int = 0) -> str:
    """The code an authenticator app would show (`steps_back` 30-second steps ago)."""
    totp = TOTP(b32decode(secret_b32), step=30, t0=0, digits=6)
    totp.time = time.time() - 30 * steps_back
    return f"{totp.token():06d}"


@pytest.fixture
def required(settings):
    settings.PORTAL_REQUIRE_2FA = True


def _login(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _set_up(client) -> tuple[str, list[str]]:
    page = client.get(reverse("security"), {"setup": 1})
    secret = page.context["secret"]
    assert "<svg" in page.content.decode() and secret in page.content.decode()
    # One step back: the login that follows uses the current step (a code works once).
    response = client.post(reverse("security-confirm"), {"token": code(secret, steps_back=1)})
    assert response.status_code == 200
    return secret, response.context["codes"]


def test_staff_must_set_up_two_factor_in_production_before_anything_else(required, staff):
    client = _login(staff)
    for url in (reverse("home"), reverse("tiers:whatif"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("security")), url


def test_cam_must_set_up_two_factor_in_production(required, cam):
    response = _login(cam).get(reverse("home"))
    assert response.url.startswith(reverse("security"))


def test_demo_logins_are_not_asked_in_development(staff, cam, partner_admin):
    for person in (staff, cam, partner_admin):
        assert _login(person).get(reverse("home")).status_code == 200


def test_partner_is_not_forced_in_production_but_may_turn_it_on(required, partner_admin):
    client = _login(partner_admin)
    assert client.get(reverse("home")).status_code == 200
    _secret, codes = _set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=partner_admin).confirmed


def test_a_wrong_setup_code_changes_nothing(required, staff):
    client = _login(staff)
    client.get(reverse("security"), {"setup": 1})
    response = client.post(reverse("security-confirm"), {"token": "000000"})
    assert response.status_code == 400 and "not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=staff).exists()
    assert client.get(reverse("home")).status_code == 302


def test_setup_then_login_asks_for_the_code_and_refuses_a_wrong_one(required, staff):
    client = _login(staff)
    secret, _codes = _set_up(client)
    assert client.get(reverse("home")).status_code == 200  # verified by the setup itself

    again = _login(staff)
    response = again.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-verify"))
    wrong = again.post(reverse("two-factor-verify"), {"token": "123456"})
    assert wrong.status_code == 400
    assert again.get(reverse("home")).status_code == 302
    time.sleep(1.1)  # django-otp throttles the next try for a second after a failure
    right = again.post(reverse("two-factor-verify"), {"token": code(secret), "next": reverse("admin:index")})
    assert right.status_code == 302 and right.url == reverse("admin:index")
    assert again.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_works_once(required, staff):
    _secret, codes = _set_up(_login(staff))
    first = _login(staff)
    assert first.post(reverse("two-factor-verify"), {"token": codes[0]}).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    second = _login(staff)
    assert second.post(reverse("two-factor-verify"), {"token": codes[0]}).status_code == 400
    time.sleep(1.1)  # throttled for a second after the failure
    assert second.post(reverse("two-factor-verify"), {"token": codes[1]}).status_code == 302


def test_a_partner_who_turned_it_on_is_asked_even_in_development(partner_member):
    _secret, codes = _set_up(_login(partner_member))
    client = _login(partner_member)
    assert client.get(reverse("home")).url.startswith(reverse("two-factor-verify"))


def test_required_roles_cannot_turn_it_off_partners_can(required, staff, partner_member):
    staff_client = _login(staff)
    _set_up(staff_client)
    staff_client.post(reverse("security-disable"))
    assert TOTPDevice.objects.filter(user=staff).exists()

    partner_client = _login(partner_member)
    _set_up(partner_client)
    partner_client.post(reverse("security-disable"))
    assert not TOTPDevice.objects.filter(user=partner_member).exists()
    assert _login(partner_member).get(reverse("home")).status_code == 200


def test_the_next_parameter_cannot_send_people_elsewhere(partner_member):
    secret, _codes = _set_up(_login(partner_member))
    client = _login(partner_member)
    response = client.post(reverse("two-factor-verify"), {"token": code(secret), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_security_page_is_translated(partner_member, settings):
    client = _login(partner_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    body = client.get(reverse("security")).content.decode()
    assert "二要素認証" in body and "Two-factor" not in body
