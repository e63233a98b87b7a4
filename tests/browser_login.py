"""Logging a persona in through the real login form, for the browser tests."""

from __future__ import annotations

from tests.factories import TEST_PASSWORD


def log_in(page, base_url: str, user, *, password: str = TEST_PASSWORD, submit: str = "button[type=submit]"):
    """Open the login page on `page`, sign `user` in with the form and wait for the home page; returns `page`.

    `submit` picks the form's button (`main button[type=submit]` where the page has another form)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    page.click(submit)
    page.wait_for_url(f"{base_url}/")
    return page
