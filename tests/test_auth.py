"""Login with email, lockout after repeated failures, logout and password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import OutgoingEmail
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_login_with_email_lands_on_home(client, partner_admin):
    response = _login(client, partner_admin.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == partner_admin


def test_wrong_password_rerenders_with_error(client, partner_admin):
    response = _login(client, partner_admin.email, "wrong-password")
    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_even_with_right_password(client, partner_admin):
    for _ in range(5):
        _login(client, partner_admin.email, "wrong-password")
    response = _login(client, partner_admin.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, partner_admin, partner_member):
    for _ in range(5):
        _login(client, partner_admin.email, "wrong-password")
    # Another username from the same address still gets in.
    response = _login(client, partner_member.email, TEST_PASSWORD)
    assert response.status_code == 302


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_requires_post_and_ends_the_session(client_for, partner_admin):
    client = client_for(partner_admin)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client, partner_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the reset email goes through the outbox
        response = client.post(reverse("password_reset"), {"email": partner_admin.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().status == "sent"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token into the session and redirects
    response = client.post(form_url, {"new_password1": "a-brand-new-pass-42", "new_password2": "a-brand-new-pass-42"})
    assert response.status_code == 302
    partner_admin.refresh_from_db()
    assert partner_admin.check_password("a-brand-new-pass-42")


def test_password_change_rejects_mismatch_and_keeps_old_password(client_for, partner_admin):
    client = client_for(partner_admin)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "a-brand-new-pass-42", "new_password2": "different-pass-42"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    partner_admin.refresh_from_db()
    assert partner_admin.check_password(TEST_PASSWORD)
