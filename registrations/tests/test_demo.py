from __future__ import annotations

import random

import pytest
from django.utils import timezone

from demo.people import seed_people
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
