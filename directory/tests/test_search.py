"""The public search: who appears, what each filter narrows, sorting, paging, htmx, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.tests.helpers import profile_make, review_make
from enablement.models import Accreditation, AccreditationStatus, PartnerAccreditation
from portal.models import PartnerKind, Region, Tier
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
URL = reverse("directory:search")


def _names(response) -> list[str]:
    return [card["profile"].partner.name for card in response.context["cards"]]


@pytest.fixture
def listed(db):
    """Three public listings that differ in every filter."""
    tokyo = PartnerFactory(name="Tokyo Web Works", region=Region.JAPAN, country="JP", tier=Tier.DIAMOND)
    tokyo.operating_countries, tokyo.industries = ["JP", "SG"], ["retail", "software"]
    tokyo.save()
    berlin = PartnerFactory(name="Berlin Growth", region=Region.EMEA, country="DE", tier=Tier.GOLD)
    berlin.operating_countries, berlin.industries = ["DE", "AT"], ["manufacturing"]
    berlin.save()
    austin = PartnerFactory(name="Austin Funnel", region=Region.NORTH_AMERICA, country="US")
    austin.operating_countries, austin.industries = ["US"], ["healthcare"]
    austin.save()
    profile_make(
        tokyo, slug="tokyo", services=["website", "content_seo"], languages=["ja", "en"], tagline="Sites that sell"
    )
    profile_make(
        berlin, slug="berlin", services=["crm_implementation"], languages=["de"], description="Salesforce exit"
    )
    profile_make(austin, slug="austin", services=["revops"], languages=["en", "es"])
    return {"tokyo": tokyo, "berlin": berlin, "austin": austin}


def test_anonymous_visitor_sees_public_listings_best_tier_first(client, listed):
    response = client.get(URL)
    assert response.status_code == 200
    assert _names(response) == ["Tokyo Web Works", "Berlin Growth", "Austin Funnel"]
    assert "3 partners" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "growth"}, ["Berlin Growth"]),  # name
        ({"q": "sites that"}, ["Tokyo Web Works"]),  # tagline
        ({"q": "salesforce"}, ["Berlin Growth"]),  # description
        ({"region": "emea"}, ["Berlin Growth"]),
        ({"country": "SG"}, ["Tokyo Web Works"]),
        ({"country": "AT"}, ["Berlin Growth"]),
        ({"language": "es"}, ["Austin Funnel"]),
        ({"language": "en"}, ["Tokyo Web Works", "Austin Funnel"]),
        ({"service": "content_seo"}, ["Tokyo Web Works"]),
        ({"industry": "healthcare"}, ["Austin Funnel"]),
        ({"tier": "gold"}, ["Berlin Growth"]),
        ({"tier": "solutions_partner"}, ["Austin Funnel"]),
        ({"language": "en", "region": "japan"}, ["Tokyo Web Works"]),
    ],
)
def test_each_filter_narrows_the_results(client, listed, params, expected):
    assert _names(client.get(URL, params)) == expected


def test_accreditation_filter_keeps_active_holders_only(client, listed):
    crm = Accreditation.objects.create(code="advanced-crm", name="Advanced CRM")
    today = timezone.localdate()
    PartnerAccreditation.objects.create(
        partner=listed["tokyo"], accreditation=crm, granted_on=today, next_review_on=today
    )
    PartnerAccreditation.objects.create(
        partner=listed["berlin"],
        accreditation=crm,
        status=AccreditationStatus.LAPSED,
        granted_on=today,
        next_review_on=today,
    )
    response = client.get(URL, {"accreditation": "advanced-crm"})
    assert _names(response) == ["Tokyo Web Works"]
    assert '<option value="advanced-crm" selected>Advanced CRM</option>' in response.content.decode()


def test_unknown_filter_values_are_ignored_not_an_error(client, listed):
    response = client.get(URL, {"tier": "platinum-plus", "country": "XX", "page": "zzz"})
    assert response.status_code == 200
    assert len(_names(response)) == 3


def test_hidden_unlisted_and_provider_listings_never_appear(client, listed, staff):
    hidden = profile_make(PartnerFactory(name="Hidden Agency"), slug="hidden")
    hidden.hidden_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    hidden.save()
    profile_make(PartnerFactory(name="Unlisted Agency"), slug="unlisted", listed=False)
    profile_make(PartnerFactory(name="Provider Corp", kind=PartnerKind.PROVIDER), slug="provider")
    for params in ({}, {"q": "agency"}, {"q": "provider"}):
        names = _names(client.get(URL, params))
        assert not {"Hidden Agency", "Unlisted Agency", "Provider Corp"} & set(names)
    # Signed in as staff changes nothing: the search is the public's.
    client.force_login(staff)
    assert "Hidden Agency" not in _names(client.get(URL))


def test_rating_sort_and_card_rating_use_published_reviews_only(client, listed):
    review_make(listed["austin"], rating=5)
    review_make(listed["austin"], rating=4)
    review_make(listed["berlin"], rating=3)
    review_make(listed["berlin"], rating=5, status="pending")
    review_make(listed["tokyo"], rating=1, status="rejected")
    response = client.get(URL, {"sort": "rating"})
    assert _names(response) == ["Austin Funnel", "Berlin Growth", "Tokyo Web Works"]
    cards = {c["profile"].slug: c for c in response.context["cards"]}
    assert (cards["austin"]["profile"].rating, cards["austin"]["profile"].review_count) == (4.5, 2)
    assert cards["austin"]["stars"] == "★★★★★"  # 4.5 rounds half up
    assert cards["berlin"]["profile"].review_count == 1
    assert cards["tokyo"]["profile"].review_count == 0
    html = response.content.decode()
    assert "(2 reviews)" in html and "No reviews yet" in html


def test_name_sort_and_relevance_puts_name_matches_first(client, listed):
    assert _names(client.get(URL, {"sort": "name"})) == ["Austin Funnel", "Berlin Growth", "Tokyo Web Works"]
    other = PartnerFactory(name="Zeta Elite", tier=Tier.ELITE)
    profile_make(other, slug="zeta", tagline="We beat Tokyo Web Works")
    # "tokyo" matches Tokyo's name and Zeta's tagline: the name match wins over Zeta's higher tier.
    assert _names(client.get(URL, {"q": "tokyo"})) == ["Tokyo Web Works", "Zeta Elite"]


def test_empty_state_is_a_sentence(client, listed):
    response = client.get(URL, {"q": "nothing-like-this"})
    html = response.content.decode()
    assert "No partner matches these filters." in html
    assert 'class="empty-state"' in html


def test_pages_of_twenty_with_links_keeping_the_filters(client):
    for n in range(25):
        profile_make(PartnerFactory(name=f"Agency {n:02d}"), slug=f"agency-{n:02d}")
    first = client.get(URL, {"sort": "name", "service": "website"})
    assert len(first.context["cards"]) == 20
    assert "?sort=name&amp;service=website&amp;page=2" in first.content.decode()
    second = client.get(URL, {"sort": "name", "service": "website", "page": 2})
    assert _names(second) == [f"Agency {n:02d}" for n in range(20, 25)]


def test_htmx_request_gets_the_results_partial_only(client, listed):
    response = client.get(URL, {"tier": "gold"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="directory-results"')
    assert "<form" not in html and "Berlin Growth" in html


def test_search_page_takes_two_queries_whatever_the_filters(client, listed, django_assert_num_queries):
    for n in range(30):
        partner = PartnerFactory(name=f"Busy {n}")
        profile_make(partner, slug=f"busy-{n}")
        review_make(partner, rating=4)
    # The accreditations for the filter, then the page's rows with their ratings and the number of matches.
    with django_assert_num_queries(2):
        client.get(URL, {"sort": "rating", "service": "website", "accreditation": "none"})
    with django_assert_num_queries(2):
        client.get(URL, {"q": "busy", "page": 2})


def test_the_count_comes_with_the_page_and_a_page_past_the_end_shows_the_last(client, listed):
    for n in range(30):
        profile_make(PartnerFactory(name=f"Busy {n:02d}"), slug=f"busy-{n}")
    first = client.get(URL, {"q": "busy", "sort": "name"})
    assert first.context["page"].paginator.count == 30 and first.context["page"].paginator.num_pages == 2
    beyond = client.get(URL, {"q": "busy", "sort": "name", "page": 9})
    assert beyond.context["page"].number == 2
    assert _names(beyond) == [f"Busy {n:02d}" for n in range(20, 30)]
    none = client.get(URL, {"q": "no such agency"})
    assert none.context["page"].paginator.count == 0 and not none.context["page"].object_list


def test_no_match_is_one_query_for_the_page(client, listed, django_assert_num_queries):
    with django_assert_num_queries(2):  # the accreditations for the filter, the (empty) page
        response = client.get(URL, {"q": "no such agency"})
    assert response.context["page"].paginator.num_pages == 1
