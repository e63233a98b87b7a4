from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format

from registrations.models import DomainRegistration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_out(page) -> None:
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/**")


def test_partner_registers_cam_approves_partner_sees_expiry(browser_login, partner_admin, cam, live_server):
    # 1. The partner registers a domain (typed messily) on the capacity page.
    page = browser_login(partner_admin)
    page.goto(f"{live_server.url}/registrations/")
    page.fill("#id_domain", "https://www.Browser-Test.co.jp/contact")
    page.fill("#id_company_name", "Browser Test KK")
    page.click("form[hx-post$='/registrations/'] button[type=submit]")
    row = page.locator("tr", has_text="browser-test.co.jp")
    row.wait_for()
    assert "Pending" in row.inner_text()
    assert page.locator("#used-cap").inner_text() == "1 / 10"
    _log_out(page)

    # 2. The CAM approves it inline in the queue.
    page = browser_login(cam)
    page.goto(f"{live_server.url}/registrations/queue/")
    queued = page.locator("tr", has_text="browser-test.co.jp")
    queued.get_by_role("button", name="Approve").click()
    page.locator("tr [data-status=registered]").wait_for()
    _log_out(page)

    # 3. The partner sees it registered, with its expiry date.
    expires = (timezone.localdate() + relativedelta(months=6)).isoformat()
    page = browser_login(partner_admin)
    page.goto(f"{live_server.url}/registrations/")
    row = page.locator("tr", has_text="browser-test.co.jp")
    assert "Registered" in row.inner_text()
    assert date_format(DomainRegistration.objects.get().expires_on) in row.locator(".expires").inner_text()
    assert DomainRegistration.objects.get().expires_on.isoformat() == expires
