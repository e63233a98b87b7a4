"""A partner's public profile and its logo: what it shows, who may see a listing the public cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.selectors import Badge, profile_badge_provider
from directory.tests.helpers import image_bytes, profile_make, review_make
from enablement.models import (
    Accreditation,
    AccreditationStatus,
    AwardStatus,
    Certification,
    ImpactAward,
    PartnerAccreditation,
)
from portal.models import PartnerKind, Tier
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(partner):
    partner.tier = Tier.PLATINUM
    partner.operating_countries, partner.industries = ["JP", "US"], ["retail"]
    partner.save()
    return profile_make(
        partner,
        slug="own-agency",
        website="https://own.example",
        services=["website", "revops"],
        languages=["ja", "en"],
        description="First paragraph.\n\nSecond paragraph.",
    )


def _url(slug: str) -> str:
    return reverse("directory:profile", args=[slug])


def test_profile_shows_the_partners_words_and_the_programmes_facts(client, listing, partner, staff):
    today = timezone.localdate()
    crm = Accreditation.objects.create(code="crm", name="Advanced CRM")
    lapsed = Accreditation.objects.create(code="old", name="Lapsed One")
    PartnerAccreditation.objects.create(partner=partner, accreditation=crm, granted_on=today, next_review_on=today)
    PartnerAccreditation.objects.create(
        partner=partner, accreditation=lapsed, status=AccreditationStatus.LAPSED, granted_on=today, next_review_on=today
    )
    for holder in ("Aiko", "Ben"):
        Certification.objects.create(partner=partner, holder_name=holder, name="Inbound", issued_on=today)
    Certification.objects.create(
        partner=partner, holder_name="Cleo", name="Expired Cert", issued_on=today, expires_on=today - dt.timedelta(1)
    )
    ImpactAward.objects.create(
        year=2025,
        region=partner.region,
        category="customer_first",
        partner=partner,
        status=AwardStatus.PUBLISHED,
        nominated_by=staff,
    )
    ImpactAward.objects.create(
        year=2025, region=partner.region, category="global_heart", partner=partner, nominated_by=staff
    )
    review_make(partner, rating=5, title="Superb launch", reply="Thank you!", reviewer_title="CMO")
    review_make(partner, rating=2, title="Never shown", status="pending")

    response = client.get(_url("own-agency"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="badge tier-platinum" data-testid="tier">Platinum</span>' in html
    assert '<a href="https://own.example" rel="nofollow noopener" target="_blank">' in html
    assert "<p>First paragraph.</p>" in html and "<p>Second paragraph.</p>" in html
    assert "Website design and development" in html and "Revenue operations" in html
    assert "Retail and e-commerce" in html and "Japanese, English" in html and "Japan, United States" in html
    assert "Advanced CRM" in html and "Lapsed One" not in html
    assert 'Inbound <span class="muted">2 people</span>' in html and "Expired Cert" not in html
    assert "★ Customer First 2025" in html and "Global HEART" not in html
    assert "Superb launch" in html and "Thank you!" in html and "CMO" in html and "customer.example" in html
    assert "Never shown" not in html
    assert "(1 review)" in html


def test_badge_hook_adds_a_badge_beside_the_awards(client, listing, monkeypatch):
    from directory import selectors

    monkeypatch.setattr(selectors, "BADGE_PROVIDERS", [])
    profile_badge_provider(lambda partner: [Badge(label="Global Partner of the Year 2025")])
    assert "★ Global Partner of the Year 2025" in client.get(_url("own-agency")).content.decode()


def test_profile_page_queries_are_pinned(client, listing, partner, django_assert_num_queries):
    for rating in (5, 4, 3):
        review_make(partner, rating=rating)
    # profile, certifications, accreditations, awards, reviews, rating summary
    with django_assert_num_queries(6):
        client.get(_url("own-agency"))


@pytest.mark.parametrize("state", ["hidden", "unlisted", "provider", "missing"])
def test_a_listing_the_public_may_not_see_answers_404(client, listing, partner, state):
    if state == "hidden":
        listing.hidden_at = timezone.now()
        listing.save()
    elif state == "unlisted":
        listing.listed = False
        listing.save()
    elif state == "provider":
        partner.kind = PartnerKind.PROVIDER
        partner.save()
    slug = "nobody" if state == "missing" else "own-agency"
    assert client.get(_url(slug)).status_code == 404


def test_own_people_and_staff_preview_a_hidden_listing_other_partners_and_cams_do_not(
    client_for, listing, partner_member, staff, other_partner_user, cam
):
    listing.hidden_at = timezone.now()
    listing.save()
    for user in (partner_member, staff):
        response = client_for(user).get(_url("own-agency"))
        assert response.status_code == 200
        assert "Staff have hidden this listing" in response.content.decode()
    for user in (other_partner_user, cam):
        assert client_for(user).get(_url("own-agency")).status_code == 404


def test_logo_is_served_with_validators_and_a_long_public_lifetime(client, listing):
    listing.logo, listing.logo_content_type = image_bytes(), "image/png"
    listing.save()
    url = reverse("directory:logo", args=["own-agency"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == image_bytes()
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 304


def test_logo_of_a_hidden_listing_or_without_a_logo_is_404(client, listing, partner):
    url = reverse("directory:logo", args=["own-agency"])
    assert client.get(url).status_code == 404  # no logo yet
    listing.logo, listing.logo_content_type, listing.listed = image_bytes(), "image/png", False
    listing.save()
    assert client.get(url).status_code == 404
    other = profile_make(
        PartnerFactory(name="Other Logo"), slug="other-logo", logo=image_bytes(), logo_content_type="image/png"
    )
    assert client.get(reverse("directory:logo", args=[other.slug])).status_code == 200
