"""Exports of the registration lists: the rows on screen (same filters, every page), never another partner's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.export_files import column, export_rows
from tests.factories import DealFactory, DomainRegistrationFactory

pytestmark = pytest.mark.django_db
FORMATS = ["csv", "xlsx"]


@pytest.fixture
def world(partner, other_partner):
    """`partner` is in `cam`'s book, `other_partner` in `other_cam`'s."""
    DomainRegistrationFactory(partner=partner, domain="acme.com", company_name="Acme Widgets", status="registered")
    DomainRegistrationFactory(partner=partner, domain="globex.com", company_name="Globex", status="pending")
    DomainRegistrationFactory(partner=partner, domain="initech.com", company_name="Initech", status="pending")
    DomainRegistrationFactory(partner=other_partner, domain="rival.com", company_name="Rival", status="pending")
    DealFactory(partner=partner, company_name="Own Deal", status="pending", expected_mrr=Decimal("1556.50"))
    DealFactory(partner=partner, company_name="Won Deal", status="approved")
    DealFactory(partner=other_partner, company_name="Rival Deal", status="pending")


@pytest.mark.parametrize("fmt", FORMATS)
def test_capacity_export_holds_the_searched_rows_of_the_partner_only(client_for, partner_member, world, fmt):
    client = client_for(partner_member)
    query = {"status": "pending"}
    on_screen = [r.domain for r in client.get(reverse("registrations:capacity"), query).context["page"]]
    rows = export_rows(client.get(reverse("registrations:capacity-export", args=[fmt]), query))
    assert column(rows, "Domain") == on_screen and sorted(on_screen) == ["globex.com", "initech.com"]
    everything = export_rows(client.get(reverse("registrations:capacity-export", args=[fmt])))
    assert "rival.com" not in column(everything, "Domain") and len(everything) == 1 + 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_queue_export_holds_the_cams_pending_rows_only(client_for, cam, other_cam, world, fmt):
    client = client_for(cam)
    page = client.get(reverse("registrations:queue")).context
    domains = export_rows(client.get(reverse("registrations:queue-export", args=["domains", fmt])))
    assert column(domains, "Domain") == [r.domain for r in page["registrations"]] == ["globex.com", "initech.com"]
    deals = export_rows(client.get(reverse("registrations:queue-export", args=["deals", fmt])))
    assert column(deals, "Company") == [d.company_name for d in page["deals"]] == ["Own Deal"]
    other = export_rows(client_for(other_cam).get(reverse("registrations:queue-export", args=["domains", fmt])))
    assert column(other, "Domain") == ["rival.com"]


def test_queue_export_is_for_cams_only(client_for, partner_member, world):
    response = client_for(partner_member).get(reverse("registrations:queue-export", args=["domains", "csv"]))
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_deals_export_follows_the_status_filter_and_the_partner(client_for, partner_member, cam, world, fmt):
    client = client_for(partner_member)
    rows = export_rows(client.get(reverse("registrations:deals-export", args=[fmt]), {"status": "pending"}))
    assert column(rows, "Company") == ["Own Deal"]
    every = export_rows(client.get(reverse("registrations:deals-export", args=[fmt])))
    on_screen = [d.company_name for d in client.get(reverse("registrations:deals")).context["page"]]
    assert column(every, "Company") == on_screen and "Rival Deal" not in on_screen
    book = export_rows(client_for(cam).get(reverse("registrations:deals-export", args=[fmt])))
    assert sorted(column(book, "Company")) == ["Own Deal", "Won Deal"]


def test_deals_excel_types_money_and_dates(client_for, partner_member, world):
    rows = export_rows(
        client_for(partner_member).get(reverse("registrations:deals-export", args=["xlsx"]), {"status": "pending"})
    )
    assert column(rows, "Expected MRR") == [1556.5]  # a number in the sheet, not "$1,556.50"
    assert column(rows, "Expected close")[0].date() == dt.date(2026, 12, 31)
    assert isinstance(column(rows, "Submitted at")[0], dt.datetime)


def test_deals_csv_writes_plain_numbers_and_iso_dates(client_for, partner_member, world):
    rows = export_rows(
        client_for(partner_member).get(reverse("registrations:deals-export", args=["csv"]), {"status": "pending"})
    )
    assert column(rows, "Expected MRR") == ["1556.50"]
    assert column(rows, "Expected close") == ["2026-12-31"]


def test_list_pages_link_their_exports_with_the_filters(client_for, partner_member, cam, world):
    html = client_for(partner_member).get(reverse("registrations:capacity"), {"status": "pending"}).content.decode()
    assert f'href="{reverse("registrations:capacity-export", args=["xlsx"])}?status=pending"' in html
    html = client_for(cam).get(reverse("registrations:queue")).content.decode()
    assert reverse("registrations:queue-export", args=["deals", "csv"]) in html


@pytest.mark.parametrize("extra", [0, 30])
def test_exports_do_not_query_per_row(client_for, cam, partner, world, extra, django_assert_max_num_queries):
    DealFactory.create_batch(extra, partner=partner, status="pending")
    DomainRegistrationFactory.create_batch(extra, partner=partner, status="pending")
    client = client_for(cam)
    client.get(reverse("registrations:queue"))  # warm the session
    for url in (
        reverse("registrations:deals-export", args=["xlsx"]),
        reverse("registrations:queue-export", args=["domains", "xlsx"]),
        reverse("registrations:queue-export", args=["deals", "csv"]),
    ):
        with django_assert_max_num_queries(4):
            export_rows(client.get(url))
