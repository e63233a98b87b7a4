"""The admin's customer MRR list (issue 15): filters from small tables, a capped count, indexed searches only,
and a query count that does not grow with the rows shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import PartnerFactory
from tiers.admin import CappedCountPaginator
from tiers.models import CustomerMRR, MonthCompleteness
from tiers.tests.factories import points_rules

pytestmark = pytest.mark.django_db

URL = reverse("admin:tiers_customermrr_changelist")
AUG, SEP = dt.date(2022, 8, 1), dt.date(2022, 9, 1)


def mrr_rows(partner, count: int, *, month=AUG, currency="USD", country="US", prefix="c") -> None:
    CustomerMRR.objects.bulk_create(
        CustomerMRR(
            partner=partner,
            month=month,
            customer_domain=f"{prefix}{i}.example.com",
            customer_country=country,
            currency=currency,
            sold_mrr=Decimal(i),
            managed_mrr=Decimal(0),
        )
        for i in range(count)
    )
    MonthCompleteness.objects.get_or_create(month=month)


def shown(response) -> list[str]:
    return [row.customer_domain for row in response.context["cl"].result_list]


@pytest.fixture
def staff_client(client_for, staff):
    points_rules(effective_from="2022-01-01", currencies=["USD", "EUR"])
    return client_for(staff)


def test_the_list_makes_the_same_queries_for_5_rows_as_for_150(staff_client, django_assert_max_num_queries):
    partner = PartnerFactory(partner_id="P1")
    mrr_rows(partner, 5)
    staff_client.get(URL)  # warm up: session, content types
    with django_assert_max_num_queries(12) as few:
        staff_client.get(URL)
    mrr_rows(PartnerFactory(partner_id="P2"), 145, country="JP")
    mrr_rows(PartnerFactory(partner_id="P3"), 5, month=SEP, currency="EUR", country="DE")

    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = staff_client.get(URL)

    assert len(response.context["cl"].result_list) == 100
    scans = [
        q["sql"] for q in many.captured_queries if "DISTINCT" in q["sql"] and 'FROM "tiers_customermrr"' in q["sql"]
    ]
    assert scans == []  # the filters read the rule sets' currencies and the imported months
    counts = [q["sql"] for q in many.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 10000" in counts[0]  # counted up to the cap, not every row


def test_filters_offer_the_imported_months_and_the_coefficient_currencies(staff_client):
    mrr_rows(PartnerFactory(partner_id="P1"), 2)
    mrr_rows(PartnerFactory(partner_id="P2"), 3, month=SEP, currency="EUR", prefix="e")

    response = staff_client.get(URL, {"month": SEP.isoformat(), "currency": "EUR"})

    choices = {
        spec.title: [c["display"] for c in spec.choices(response.context["cl"])][1:]
        for spec in response.context["cl"].filter_specs
    }
    assert choices == {"month": ["2022-09", "2022-08"], "currency": ["EUR", "USD"]}
    assert sorted(shown(response)) == ["e0.example.com", "e1.example.com", "e2.example.com"]


def test_the_newest_month_comes_first(staff_client):
    partner = PartnerFactory(partner_id="P1")
    mrr_rows(partner, 1, prefix="aug")
    mrr_rows(partner, 1, month=SEP, prefix="sep")

    assert shown(staff_client.get(URL)) == ["sep0.example.com", "aug0.example.com"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("P2", ["b0.example.com"]),  # an exact partner ID…
        ("P", []),  # …not a part of one
        ("Globex", ["b0.example.com"]),  # the beginning of a partner's name, in any case
        ("globex", ["b0.example.com"]),
        ("lobex", []),
        ("a1.example.com", []),  # customer domains are not searched: no index leads with them
    ],
)
def test_search_finds_partners_by_exact_id_or_name_prefix(staff_client, term, expected):
    mrr_rows(PartnerFactory(partner_id="P1", name="Acme Agency"), 2, prefix="a")
    mrr_rows(PartnerFactory(partner_id="P2", name="Globex Partners"), 1, prefix="b")

    assert sorted(shown(staff_client.get(URL, {"q": term}))) == expected


def test_search_finds_the_partners_rows_in_every_month(staff_client):
    """The key leads with the month; the search names the months present, so none is left out."""
    acme = PartnerFactory(partner_id="P1", name="Acme Agency")
    mrr_rows(acme, 1, prefix="aug")
    mrr_rows(acme, 1, month=SEP, prefix="sep")
    mrr_rows(acme, 1, month=dt.date(2022, 10, 1), prefix="oct")
    mrr_rows(PartnerFactory(partner_id="P2"), 1, month=SEP, prefix="other")

    assert shown(staff_client.get(URL, {"q": "P1"})) == ["oct0.example.com", "sep0.example.com", "aug0.example.com"]


def test_the_count_stops_at_the_cap(staff_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    mrr_rows(PartnerFactory(partner_id="P1"), 5)

    response = staff_client.get(URL)

    assert response.context["cl"].result_count == 3
    assert len(shown(response)) == 5  # the page itself is not cut short
