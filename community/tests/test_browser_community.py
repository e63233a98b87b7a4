from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from community.models import PugGroup, PugReviewCycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def open_cycle():
    today = timezone.localdate()
    return PugReviewCycle.objects.create(
        name="Browser cycle",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=20),
        cohort_starts_on=today - dt.timedelta(days=1),
        cohort_ends_on=today + dt.timedelta(days=180),
    )


def test_partner_applies_staff_accepts_and_partner_sees_the_group(
    browser_login, partner_admin, staff, open_cycle, live_server
):
    group = PugGroup.objects.create(
        name="Ops leaders Japan",
        role="operations",
        region="japan",
        champion="Hiro Sato",
        meeting_cadence="Monthly, last Friday",
    )
    page = browser_login(partner_admin)
    page.goto(f"{live_server.url}/community/")
    page.locator(f"#pug-{group.pk} button[type=submit]").click()
    page.wait_for_load_state()
    assert "Application to Ops leaders Japan sent." in page.locator(".messages").inner_text()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()

    page = browser_login(staff)
    page.goto(f"{live_server.url}/community/review/")
    row = page.locator("#pug-queue tbody tr", has_text="Own Agency")
    row.get_by_role("button", name="Accept").click()
    # htmx swaps the row in place with its new status.
    page.locator("#pug-queue tbody tr", has_text="Own Agency").get_by_text("Accepted").wait_for()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()

    page = browser_login(partner_admin)
    page.goto(f"{live_server.url}/community/")
    page.locator("#my-pug-groups a", has_text="Ops leaders Japan").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ops leaders Japan"
    assert "Monthly, last Friday" in page.locator(".facts").inner_text()
    assert "Own Agency" in page.locator("#pug-members").inner_text()
