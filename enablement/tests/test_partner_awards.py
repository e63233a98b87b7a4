"""A partner's own awards page: its published badges, explained; nobody else's."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from enablement.models import AwardStatus, ImpactAward

pytestmark = pytest.mark.django_db


@pytest.fixture
def awards(partner, other_partner):
    own = ImpactAward.objects.create(
        year=2025,
        region="japan",
        category="customer_first",
        partner=partner,
        citation="Outstanding customer reviews.",
        status=AwardStatus.PUBLISHED,
    )
    ImpactAward.objects.create(year=2025, region="japan", category="rookie_of_the_year", partner=partner)  # nominated
    ImpactAward.objects.create(
        year=2025,
        region="na",
        category="partner_of_the_year",
        partner=other_partner,
        status=AwardStatus.PUBLISHED,
        citation="Someone else's citation.",
    )
    return own


def test_partner_sees_its_published_awards_explained_and_nothing_else(
    client_for, partner_member, awards, django_assert_max_num_queries
):
    client = client_for(partner_member)
    client.get(reverse("enablement:awards"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("enablement:awards"))
    assert response.status_code == 200
    body = " ".join(response.content.decode().split())
    assert f'id="award-{awards.pk}"' in body
    assert "★ Customer First 2025" in body
    assert "The partner whose customers get the best service: client reviews and customer success." in body
    assert "Outstanding customer reviews." in body
    assert [a.pk for a, _ in response.context["awards"]] == [awards.pk]  # not the nomination, not the other partner's
    assert "Someone else" not in body and "Rookie of the Year 2025" not in body
    # Every category is explained, so a badge is never unexplained.
    assert len(response.context["categories"]) == 5


def test_other_partner_does_not_see_these_awards(client_for, other_partner_user, awards):
    body = client_for(other_partner_user).get(reverse("enablement:awards")).content.decode()
    assert "Customer First 2025" not in body
    assert "Partner of the Year 2025" in body


def test_partner_without_awards_gets_an_empty_state(client_for, partner_member):
    body = client_for(partner_member).get(reverse("enablement:awards")).content.decode()
    assert "Your organisation has no published award yet." in body


def test_own_badges_link_to_the_awards_page_but_a_cams_do_not(partner, partner_member, cam, awards):
    template = Template("{% load enablement_tags %}{% partner_award_badges partner %}")
    request = RequestFactory().get("/")
    request.user = partner_member
    html = template.render(Context({"partner": partner, "request": request}))
    assert f'href="{reverse("enablement:awards")}#award-{awards.pk}"' in html
    request.user = cam
    html = template.render(Context({"partner": partner, "request": request}))
    assert "href=" not in html and "Customer First 2025" in html


def test_dashboard_badge_links_to_the_explanation(client_for, partner_member, awards):
    body = client_for(partner_member).get(reverse("tiers:dashboard")).content.decode()
    assert f'href="/enablement/awards/#award-{awards.pk}"' in body


def test_awards_page_in_japanese(client_for, partner_member, awards):
    body = client_for(partner_member).get(reverse("enablement:awards"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "各アワードの表彰対象" in body
    assert "顧客に最高のサービスを提供したパートナー" in body
