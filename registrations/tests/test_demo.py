from __future__ import annotations

import random

import pytest
from django.utils import timezone

from demo.people import seed_people
from portal.models import Partner
from registrations import demo
from registrations.models import CommissionHold, Deal, DealNote, DomainRegistration
from registrations.selectors import approval_queue, registration_summary

pytestmark = pytest.mark.django_db


def test_demo_seed_gives_the_demo_partner_a_near_full_cap_and_cam_a_queue():
    rng, today = random.Random(7), timezone.localdate()
    people = seed_people(rng=rng, password="demo-password", today=today)
    demo.seed(rng=rng, people=people, today=today)
    summary = registration_summary(partner=people.demo_partner)
    assert summary["live_registrations"] == summary["registration_cap"] - 2
    assert DomainRegistration.objects.count() >= 200
    assert set(DomainRegistration.objects.values_list("status", flat=True)) == {
        "pending",
        "registered",
        "expired",
        "released",
        "rejected",
    }
    assert approval_queue(cam=people.demo_cam).count() >= 13
    assert CommissionHold.objects.filter(ended_on__isnull=True).count() >= 3
    assert CommissionHold.objects.filter(ended_on__isnull=False).exists()
    assert Deal.objects.filter(partner=people.demo_partner).exists() and DealNote.objects.exists()


def test_demo_seed_gives_the_cams_book_one_partner_clearly_over_its_cap_for_the_assistant():
    from registrations.assistant import ranking_for

    rng, today = random.Random(7), timezone.localdate()
    people = seed_people(rng=rng, password="demo-password", today=today)
    demo.seed(rng=rng, people=people, today=today)
    partner = Partner.objects.exclude(industries="").get(cam=people.demo_cam)
    assert partner.operating_countries and partner.industries
    ranking = ranking_for(partner=partner, today=today)
    assert ranking.live >= ranking.cap + 5
    assert CommissionHold.objects.filter(partner=partner, ended_on__isnull=True).exists()
    reasons = {reason.code for c in ranking.candidates for reason in c.reasons}
    assert reasons >= {"country", "industry", "no_deal", "inactive", "expiring", "oldest"}
    assert any(not c.reasons for c in ranking.candidates)  # and some worth keeping
    # The proposal brings it within its cap without touching what is worth keeping.
    proposal = ranking.proposal(ranking.default_target)
    assert len(proposal) == ranking.live - ranking.cap
    assert all(c.reasons for c in ranking.candidates if c.pk in proposal)
