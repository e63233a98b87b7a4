"""Scoping of every tier page, partial and export: 404 outside one's own org or book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import Tier
from tiers.tests.dashboard_factories import mrr_make, rule_set_make, snapshot_make

pytestmark = [pytest.mark.django_db]

PARTNER_VIEWS = ["partner-dashboard", "partner-breakdown", "partner-breakdown-csv", "partner-gap", "partner-changes"]


@pytest.fixture
def data(partner, other_partner):
    rule_set = rule_set_make()
    for p in (partner, other_partner):
        for month in (dt.date(2025, 9, 1), dt.date(2025, 10, 1)):
            snapshot_make(
                partner=p, month=month, rule_set=rule_set, sales=Decimal(10), managed=Decimal(5), tier=Tier.GOLD
            )
            mrr_make(partner=p, month=month, domain=f"secret-{p.partner_id}.example", sold=100)


def _get(client, name, partner_id, htmx=False):
    url = reverse(f"tiers:{name}", kwargs={"partner_id": partner_id})
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.get(url, {"month": "2025-10-01"}, **headers)


@pytest.mark.parametrize("name", PARTNER_VIEWS)
@pytest.mark.parametrize("htmx", [False, True])
def test_partner_user_gets_404_for_another_partner(client_for, other_partner_user, partner, data, name, htmx):
    response = _get(client_for(other_partner_user), name, partner.partner_id, htmx)
    assert response.status_code == 404


@pytest.mark.parametrize("name", PARTNER_VIEWS)
def test_cam_outside_the_book_gets_404(client_for, other_cam, partner, data, name):
    assert _get(client_for(other_cam), name, partner.partner_id).status_code == 404


@pytest.mark.parametrize("name", PARTNER_VIEWS)
def test_cam_sees_a_partner_in_the_book_read_only(client_for, cam, partner, data, name):
    response = _get(client_for(cam), name, partner.partner_id)
    assert response.status_code == 200
    content = response.content if name != "partner-breakdown-csv" else b"".join(response.streaming_content)
    assert b"secret-P10001.example" in content or name in ("partner-gap", "partner-changes")
    assert b"secret-P20002.example" not in content


def test_cam_read_only_view_says_so(client_for, cam, partner, data):
    body = _get(client_for(cam), "partner-dashboard", partner.partner_id).content.decode()
    assert "Read-only view of Own Agency (P10001)" in body


def test_cc_sees_assigned_partner(client_for, cc, partner, other_partner, data):
    assert _get(client_for(cc), "partner-dashboard", partner.partner_id).status_code == 200
    assert _get(client_for(cc), "partner-dashboard", other_partner.partner_id).status_code == 404


def test_own_dashboard_shows_only_own_customers(client_for, partner_admin, data):
    client = client_for(partner_admin)
    for name in ("breakdown", "breakdown-csv"):
        response = client.get(reverse(f"tiers:{name}"), {"month": "2025-10-01"})
        content = response.content if name == "breakdown" else b"".join(response.streaming_content)
        assert b"secret-P10001.example" in content
        assert b"secret-P20002.example" not in content


def test_partner_user_cannot_reach_book_or_whatif(client_for, partner_admin):
    client = client_for(partner_admin)
    assert client.get(reverse("tiers:book")).status_code == 404
    assert client.get(reverse("tiers:whatif")).status_code == 404
    assert client.post(reverse("tiers:whatif-publish")).status_code == 404


def test_cam_cannot_reach_whatif(client_for, cam):
    client = client_for(cam)
    assert client.get(reverse("tiers:whatif")).status_code == 404
    assert client.post(reverse("tiers:whatif-publish")).status_code == 404


def test_cam_own_dashboard_url_goes_to_the_book(client_for, cam):
    response = client_for(cam).get(reverse("tiers:dashboard"))
    assert response.status_code == 302 and response.url == reverse("tiers:book")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("tiers:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_staff_may_read_any_partners_dashboard(client_for, staff, partner, other_partner, data):
    client = client_for(staff)
    for p in (partner, other_partner):
        assert f"Read-only view of {p.name}" in _get(client, "partner-dashboard", p.partner_id).content.decode()


def test_htmx_history_restore_gets_the_whole_page(client_for, partner_admin, data):
    response = client_for(partner_admin).get(
        reverse("tiers:breakdown"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_unknown_partner_id_is_404_even_for_staff(client_for, staff):
    assert _get(client_for(staff), "partner-dashboard", "NOPE").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_breakdown_exports_hold_the_book_partners_rows_and_refuse_the_others(
    client_for, cam, other_cam, partner, data, fmt
):
    from tests.export_files import column, export_rows

    response = _get(client_for(cam), f"partner-breakdown-{fmt}", partner.partner_id)
    assert column(export_rows(response), "Domain") == ["secret-P10001.example"]
    assert _get(client_for(other_cam), f"partner-breakdown-{fmt}", partner.partner_id).status_code == 404
