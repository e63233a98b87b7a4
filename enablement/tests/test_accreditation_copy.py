"""The accreditation section never contradicts what a partner holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enablement.models import Accreditation, AccreditationEligibility, PartnerAccreditation
from portal.models import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def platinum_only(db):
    """Two accreditations, open from Platinum up."""
    made = []
    for code in ("advanced-crm", "pso"):
        accreditation = Accreditation.objects.create(code=code, name=code.upper())
        for tier in (Tier.PLATINUM, Tier.DIAMOND, Tier.ELITE):
            AccreditationEligibility.objects.create(
                accreditation=accreditation, tier=tier, available_from=dt.date(2022, 12, 1)
            )
        made.append(accreditation)
    return made


def test_gold_partner_holding_two_accreditations_is_not_told_none_is_open(
    client_for, partner_admin, partner, platinum_only
):
    partner.tier = Tier.GOLD
    partner.save()
    for accreditation in platinum_only:
        PartnerAccreditation.objects.create(
            partner=partner,
            accreditation=accreditation,
            granted_on=dt.date(2025, 1, 10),
            next_review_on=dt.date(2026, 1, 10),
        )
    body = " ".join(client_for(partner_admin).get(reverse("enablement:index")).content.decode().split())
    assert "No accreditation is open to your tier yet" not in body
    assert (
        "You hold 2 accreditations (listed above). New applications are open to Platinum, Diamond and Elite partners, "
        "not to Gold." in body
    )
    assert 'id="rollout"' not in body  # no empty table


def test_gold_partner_without_accreditations_is_told_which_tiers_may_apply(
    client_for, partner_admin, partner, platinum_only
):
    partner.tier = Tier.GOLD
    partner.save()
    body = " ".join(client_for(partner_admin).get(reverse("enablement:index")).content.decode().split())
    assert "Accreditations are open to Platinum, Diamond and Elite partners, not to Gold yet." in body
