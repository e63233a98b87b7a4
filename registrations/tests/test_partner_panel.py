"""The registrations panel beside a partner's tier: what the CAM sees of a partner in the book, and the partner of itself."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from registrations.models import CommissionHold
from tests.factories import DomainRegistrationFactory

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2025, 11, 20, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def over_cap(partner, fill):
    """Own Agency (Solutions Partner, cap 10) holds 12 live domains, one expiring in 5 days, and is on hold."""
    fill(partner, 11, expires_on=dt.date(2026, 3, 1))
    fill(partner, 1, expires_on=dt.date(2025, 11, 25))
    DomainRegistrationFactory(partner=partner, status="released", expires_on=dt.date(2025, 11, 21))
    CommissionHold.objects.create(partner=partner, started_on=dt.date(2025, 11, 1), live_at_start=12, cap_at_start=10)
    return partner


def _panel(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="panel-registrations"')
    return html[start : html.index("</section>", start)]


def test_cam_sees_cap_use_hold_and_compliance_dates_beside_the_tier(client_for, cam, over_cap):
    response = client_for(cam).get(reverse("tiers:partner-dashboard", args=[over_cap.partner_id]))
    panel = _panel(response)
    assert '<strong data-testid="panel-used-cap">12 / 10</strong>' in panel
    assert 'aria-valuenow="12"' in panel and 'data-width="100"' in panel
    assert "Commissions held since 1 Nov 2025 (19 days)" in panel
    assert "12 live registrations against a cap of 10" in panel
    assert '<dd data-testid="panel-next-expiry">25 Nov 2025</dd>' in panel
    assert '<dd data-testid="panel-expiring">1</dd>' in panel
    assert '<dd data-testid="panel-next-check">21 Nov 2025</dd>' in panel
    # The CAM does not manage the partner's domains, but is offered the cap reduction assistant at the cap.
    assert f'href="{reverse("registrations:capacity")}"' not in panel
    assert f'href="{reverse("registrations:assistant", args=[over_cap.partner_id])}"' in panel


def test_partner_sees_the_same_panel_on_its_own_dashboard_with_a_link(client_for, partner_member, over_cap):
    panel = _panel(client_for(partner_member).get(reverse("tiers:dashboard")))
    assert '<strong data-testid="panel-used-cap">12 / 10</strong>' in panel
    assert reverse("registrations:capacity") in panel


def test_partner_without_hold_says_so(client_for, cam, partner, fill):
    fill(partner, 3)
    panel = _panel(client_for(cam).get(reverse("tiers:partner-dashboard", args=[partner.partner_id])))
    assert "3 / 10" in panel and 'data-testid="panel-no-hold"' in panel


def test_other_cam_gets_404_and_never_the_panel(client_for, other_cam, over_cap):
    response = client_for(other_cam).get(reverse("tiers:partner-dashboard", args=[over_cap.partner_id]))
    assert response.status_code == 404


def test_panel_speaks_japanese(client_for, cam, over_cap):
    client = client_for(cam)
    client.cookies["django_language"] = "ja"
    panel = _panel(client.get(reverse("tiers:partner-dashboard", args=[over_cap.partner_id])))
    assert "コミッション保留" in panel
    assert "Compliance deadline" not in panel and "Next compliance check" not in panel


@pytest.mark.parametrize("extra", [0, 40])
def test_cam_view_query_count_does_not_grow_with_registrations(
    client_for, cam, over_cap, fill, extra, django_assert_max_num_queries
):
    fill(over_cap, extra)
    client = client_for(cam)
    url = reverse("tiers:partner-dashboard", args=[over_cap.partner_id])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(22):
        client.get(url)
