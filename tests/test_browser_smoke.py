from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_partner_logs_in_and_switches_to_japanese(browser_login, partner_admin, live_server):
    page = browser_login(partner_admin)
    assert page.locator("h1").inner_text() == "Own Agency"
    page.select_option("#language", "ja")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "ホーム" in page.locator("nav").inner_text()
