from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import transaction

from community import demo as community_demo
from community.models import (
    BlackAtInboundMembership,
    DeibApplication,
    HugEvent,
    HugGroup,
    PugApplication,
    PugReviewCycle,
)
from community.selectors import deib_cohort_current, pug_cycle_open, pug_memberships_for_partner
from demo.people import seed_people
from enablement import demo as enablement_demo
from enablement.models import Certification, PartnerAccreditation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 3, 10)


class _Rollback(Exception):
    pass


def _seed(seed: int = 2022):
    rng = random.Random(seed)
    people = seed_people(rng=rng, password="demo-password", today=TODAY)
    community_demo.seed(rng=rng, people=people, today=TODAY)
    enablement_demo.seed(rng=rng, people=people, today=TODAY)
    return people


def _fingerprint():
    return (
        list(HugGroup.objects.order_by("name").values_list("name", "topic", "language")[:50]),
        list(
            PugApplication.objects.order_by("partner__partner_id", "group__name").values_list(
                "partner__partner_id", "group__name", "status"
            )
        ),
        Certification.objects.count(),
    )


def test_demo_has_an_open_pug_cycle_225_hugs_with_events_and_a_deib_cohort():
    people = _seed()
    assert pug_cycle_open(today=TODAY) is not None
    assert PugApplication.objects.filter(cycle=pug_cycle_open(today=TODAY), status="submitted").count() >= 10
    assert HugGroup.objects.count() >= 225
    assert HugEvent.objects.values("group").distinct().count() == HugGroup.objects.count()
    cohort = deib_cohort_current(today=TODAY)
    assert cohort is not None and DeibApplication.objects.filter(cohort__name="H1 2022", status="selected").count() == 5
    assert BlackAtInboundMembership.objects.count() >= 20
    demo = people.demo_partner
    assert pug_memberships_for_partner(partner=demo, today=TODAY).exists()
    assert Certification.objects.filter(partner=demo).count() == 8
    assert PartnerAccreditation.objects.filter(partner=demo).count() == 2
    assert PugReviewCycle.objects.count() == 2


def test_demo_is_deterministic():
    with pytest.raises(_Rollback), transaction.atomic():
        _seed()
        first = _fingerprint()
        raise _Rollback
    _seed()
    assert _fingerprint() == first
