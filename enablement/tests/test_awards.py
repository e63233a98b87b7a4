from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from enablement import services
from enablement.models import AuditEntry, ImpactAward
from enablement.selectors import award_candidates, retention_months
from enablement.services import EnablementError
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 2, 1)


def _na(**kwargs):
    return PartnerFactory(region="na", **kwargs)


def test_partner_of_the_year_ranks_by_sold_mrr_over_the_year_in_the_region(snapshot, other_partner):
    small, big = _na(name="Small"), _na(name="Big")
    emea = PartnerFactory(region="emea", name="Elsewhere")
    for month in ("2022-01", "2022-06", "2022-12"):
        snapshot(small, month, sold="1000")
        snapshot(big, month, sold="2000")
        snapshot(emea, month, sold="99999")
    snapshot(small, "2021-12", sold="50000")  # outside the year
    ranked = award_candidates(year=2022, region="na", today=TODAY)["partner_of_the_year"]
    assert [(c.partner.name, c.value) for c in ranked] == [("Big", Decimal("6000")), ("Small", Decimal("3000"))]


def test_rookie_of_the_year_counts_only_partners_that_joined_that_year(snapshot):
    veteran = _na(name="Veteran", joined_on=dt.date(2019, 5, 1))
    rookie = _na(name="Rookie", joined_on=dt.date(2022, 3, 1))
    snapshot(veteran, "2022-05", sold="9000")
    snapshot(rookie, "2022-05", sold="100")
    ranked = award_candidates(year=2022, region="na", today=TODAY)["rookie_of_the_year"]
    assert [c.partner.name for c in ranked] == ["Rookie"]


def test_retention_months_are_december_and_november_or_the_last_complete_month():
    assert retention_months(year=2022, today=TODAY) == (dt.date(2022, 11, 1), dt.date(2022, 12, 1))
    assert retention_months(year=2022, today=dt.date(2022, 8, 20)) == (dt.date(2022, 6, 1), dt.date(2022, 7, 1))


def test_retention_award_applies_tier_managed_mrr_and_ninety_percent_rules(snapshot):
    cases = {
        # name: (Nov managed, Dec managed, Dec tier)
        "Keeper": ("20000", "20000", "gold"),  # retention 1.0
        "Grower": ("20000", "21000", "platinum"),  # 1.05^12 ≈ 1.7959
        "Slight dip": ("25000", "24800", "diamond"),  # (0.992)^12 ≈ 0.9083 → in
        "Leaky": ("25000", "24500", "elite"),  # (0.98)^12 ≈ 0.7847 → out
        "Too small": ("19000", "19500", "gold"),  # under US$20k
        "No tier": ("30000", "30000", "solutions_partner"),  # below Gold
    }
    for name, (nov, dec, tier) in cases.items():
        partner = _na(name=name)
        snapshot(partner, "2022-11", managed=nov, tier=tier)
        snapshot(partner, "2022-12", managed=dec, tier=tier)
    ranked = award_candidates(year=2022, region="na", today=TODAY)["retention"]
    assert [c.partner.name for c in ranked] == ["Grower", "Keeper", "Slight dip"]
    assert ranked[0].value == Decimal("1.7959")
    assert ranked[2].value == Decimal("0.9081")


def test_awards_page_is_for_programme_staff_and_partners_only(cam, other_cam, cc, client_for):
    # Partners get their own awards page (test_partner_awards.py); CAMs and CCs get nothing.
    for person in (cam, other_cam, cc):
        assert client_for(person).get(reverse("enablement:awards")).status_code == 404


def test_staff_see_ranked_candidates_and_htmx_gets_the_results_partial(snapshot, staff, client_for):
    snapshot(_na(name="Top Seller"), "2022-03", sold="12345")
    client = client_for(staff)
    body = client.get(reverse("enablement:awards"), {"year": 2022, "region": "na"}).content.decode()
    assert "Top Seller" in body and "12,345.00" in body
    partial = client.get(
        reverse("enablement:awards"), {"year": 2022, "region": "emea"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.lstrip().startswith('<div id="award-results">') and "Top Seller" not in partial


def test_hand_nomination_must_be_in_the_region_and_not_twice(staff, partner):
    with pytest.raises(EnablementError, match="not in this region"):
        services.award_nominate(year=2022, region="na", category="customer_first", partner=partner, actor=staff)
    services.award_nominate(year=2022, region="japan", category="global_heart", partner=partner, actor=staff)
    with pytest.raises(EnablementError, match="already nominated"):
        services.award_nominate(year=2022, region="japan", category="global_heart", partner=partner, actor=staff)
    assert ImpactAward.objects.count() == 1


def test_published_award_shows_as_a_badge_for_that_partner_only(
    staff, partner, partner_admin, other_partner, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    client.post(
        reverse("enablement:award-nominate"),
        {"year": 2022, "region": "japan", "category": "customer_first", "partner_id": "P10001"},
    )
    award = ImpactAward.objects.get()
    template = Template("{% load enablement_tags %}{% partner_award_badges partner %}")
    assert "Customer First" not in template.render(Context({"partner": partner}))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enablement:award-publish", args=[award.pk]))
    assert "Customer First 2022" in template.render(Context({"partner": partner}))
    assert "Customer First" not in template.render(Context({"partner": other_partner}))
    assert [e.to_state for e in AuditEntry.objects.filter(subject="impact_award").order_by("pk")] == [
        "nominated",
        "published",
    ]
    assert mailoutbox[0].to == [partner_admin.email]
    with pytest.raises(EnablementError, match="already published"):
        services.award_publish(award=award, actor=staff)
