"""Behind a load balancer: the client's own address from X-Forwarded-For, lockout per username and client."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.net import client_ip
from tests.factories import TEST_PASSWORD

BALANCER = "10.0.3.17"
ALICE, BOB = "203.0.113.7", "198.51.100.9"


def _login(client, email, password, *, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, BALANCER, ALICE, BALANCER),  # no proxy trusted: the header is ignored
        (1, BALANCER, ALICE, ALICE),  # one balancer: the address it appended
        (1, BALANCER, f"6.6.6.6, {ALICE}", ALICE),  # what the client wrote itself is ignored
        (2, BALANCER, f"6.6.6.6, {ALICE}, 10.0.9.9", ALICE),  # CDN (10.0.9.9 appended by…) + balancer
        (1, BALANCER, None, BALANCER),  # a probe without the header: the socket's address
        (1, BALANCER, "not-an-ip", BALANCER),
        (1, "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_ip_trusts_exactly_the_configured_number_of_proxies(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **headers)) == expected


@pytest.mark.django_db
def test_five_failures_from_one_client_do_not_lock_the_login_for_another_client(client, settings, partner_admin):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _login(client, partner_admin.email, "wrong-password", forwarded_for=ALICE)
    # Alice is locked out, even with the right password…
    assert _login(client, partner_admin.email, TEST_PASSWORD, forwarded_for=ALICE).status_code == 429
    # …while the real owner of the login, behind the same balancer, gets in.
    response = _login(client, partner_admin.email, TEST_PASSWORD, forwarded_for=BOB)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(partner_admin.pk)


@pytest.mark.django_db
def test_a_client_cannot_escape_its_lockout_by_inventing_forwarded_addresses(client, settings, partner_admin):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # The balancer appends Alice's real address to whatever she sent.
        _login(client, partner_admin.email, "wrong-password", forwarded_for=f"192.0.2.{n}, {ALICE}")
    response = _login(client, partner_admin.email, TEST_PASSWORD, forwarded_for=f"192.0.2.99, {ALICE}")
    assert response.status_code == 429


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_changes_nothing(client, settings, partner_admin):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        _login(client, partner_admin.email, "wrong-password", forwarded_for=f"192.0.2.{n}")
    # Everyone arrives from the socket address: the forged header does not reset the count.
    assert _login(client, partner_admin.email, TEST_PASSWORD, forwarded_for="192.0.2.50").status_code == 429
