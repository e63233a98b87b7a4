"""Anonymous pages are shared and cached; signed-in pages are private; a change refreshes the cache."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directory import services
from directory.tests.helpers import profile_make

pytestmark = pytest.mark.django_db
SEARCH = reverse("directory:search")


def _profile_save(partner, actor, **changes):
    """The org admin saves the listing: empty but listed, with `changes`."""
    fields = {"tagline": "", "description": "", "website": "", "services": [], "languages": [], "listed": True}
    return services.profile_update(
        partner=partner, actor=actor, industries=[], operating_countries=[], **(fields | changes)
    )


@pytest.fixture
def listing(partner):
    return profile_make(partner, slug="own-agency", tagline="Before")


@pytest.mark.parametrize("url", [SEARCH, reverse("directory:profile", args=["own-agency"])])
def test_anonymous_pages_are_public_short_lived_and_set_no_cookie(client, listing, url):
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=120"
    assert set(response["Vary"].split(", ")) >= {"Accept-Language", "Cookie", "HX-Request"}
    assert not response.cookies  # no CSRF or session cookie: one copy serves every visitor
    assert 'name="csrfmiddlewaretoken"' not in response.content.decode()


@pytest.mark.parametrize("url", [SEARCH, reverse("directory:profile", args=["own-agency"])])
def test_signed_in_pages_are_never_shared(client_for, listing, partner_member, url):
    response = client_for(partner_member).get(url)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]


def test_second_anonymous_visit_is_served_from_the_cache(client, listing, django_assert_num_queries):
    client.get(SEARCH, {"q": "own"})
    with django_assert_num_queries(0):
        again = client.get(SEARCH, {"q": "own"})
    assert "Own Agency" in again.content.decode()


def test_cache_is_per_language(client, listing):
    english = client.get(SEARCH).content.decode()
    japanese = client.get(SEARCH, headers={"Accept-Language": "ja"}).content.decode()
    assert 'lang="en"' in english and 'lang="ja"' in japanese


def test_a_profile_change_refreshes_the_cached_pages(
    client, listing, partner, partner_admin, django_capture_on_commit_callbacks
):
    assert "Before" in client.get(SEARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _profile_save(partner, partner_admin, tagline="After")
    assert "After" in client.get(SEARCH).content.decode()


def test_language_links_set_the_language_and_go_back_to_a_page_of_this_site_only(client):
    response = client.get(reverse("directory:language", args=["ja"]), {"next": "/directory/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/directory/?q=x"
    assert response.cookies["django_language"].value == "ja"
    away = client.get(reverse("directory:language", args=["en"]), {"next": "https://evil.example/"})
    assert away["Location"] == "/directory/"
    unknown = client.get(reverse("directory:language", args=["xx"]))
    assert "django_language" not in unknown.cookies


def test_publishing_a_review_and_replying_refresh_the_cached_profile(
    client, listing, partner, partner_admin, staff, submitted, django_capture_on_commit_callbacks
):
    from directory import review_services

    profile = reverse("directory:profile", args=["own-agency"])
    review = submitted(title="Calm and precise")
    assert "Calm and precise" not in client.get(profile).content.decode()  # pending: not public, now cached
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_publish(review=review, actor=staff)
    assert "Calm and precise" in client.get(profile).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_reply(review=review, actor=partner_admin, text="Thank you, it was a joy.")
    assert "Thank you, it was a joy." in client.get(profile).content.decode()


def test_a_listing_keeps_its_published_rating_and_count_for_the_rating_sort(
    client, partner, partner_admin, staff, submitted, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from directory import review_services
    from directory.models import PartnerProfile

    first = submitted("ann@client.com", rating=5)
    second = submitted("bob@client.com", rating=4)
    rejected = submitted("eve@client.com", rating=1)
    review_services.review_publish(review=first, actor=staff)  # before the partner has a listing
    _profile_save(partner, partner_admin)
    listing = PartnerProfile.objects.get(partner=partner)
    assert (listing.rating, listing.review_count) == (Decimal("5.00"), 1)
    review_services.review_publish(review=second, actor=staff)
    review_services.review_reject(review=rejected, actor=staff, reason="About another company.")
    listing.refresh_from_db()
    assert (listing.rating, listing.review_count) == (Decimal("4.50"), 2)  # the rejected one counts nowhere
