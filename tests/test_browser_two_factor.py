"""The whole two-factor flow in a real browser: set up, log out, log in with a code, with a recovery code, refused."""

from __future__ import annotations

import pytest

from tests.factories import TEST_PASSWORD
from tests.test_two_factor import code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _password(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")


def _log_out(page) -> None:
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/")


def test_staff_sets_up_two_factor_and_logs_in_with_a_code_and_a_recovery_code(page, live_server, settings, staff):
    settings.PORTAL_REQUIRE_2FA = True
    _password(page, live_server, staff)
    page.wait_for_url("**/accounts/security/**")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#id_token", "000000")
    page.click("form[action$='/accounts/security/confirm'] button[type=submit]")
    assert "not right" in page.locator("[role=alert]").inner_text()
    page.wait_for_timeout(1200)
    page.fill("#id_token", code(secret, steps_back=1))
    page.click("form[action$='/accounts/security/confirm'] button[type=submit]")
    codes = [li.inner_text().strip() for li in page.locator("#recovery-codes li").all()]
    assert len(codes) == 10
    page.click("text=I have saved my recovery codes")
    assert page.locator("h1").inner_text() == "Programme overview"
    _log_out(page)

    _password(page, live_server, staff)
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_token", "999999")
    page.click("main button[type=submit]:has-text('Verify')")
    assert "not right" in page.locator("[role=alert]").inner_text()
    page.wait_for_timeout(1200)  # django-otp throttles the next try for a second after a failure
    page.fill("#id_token", code(secret))
    page.click("main button[type=submit]:has-text('Verify')")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Programme overview"
    _log_out(page)

    _password(page, live_server, staff)
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_token", codes[3])
    page.click("main button[type=submit]:has-text('Verify')")
    page.wait_for_url(f"{live_server.url}/")
    _log_out(page)

    _password(page, live_server, staff)
    page.wait_for_url("**/accounts/two-factor/**")
    page.fill("#id_token", codes[3])  # used once already
    page.click("main button[type=submit]:has-text('Verify')")
    assert "not right" in page.locator("[role=alert]").inner_text()
    assert "/accounts/two-factor/" in page.url
