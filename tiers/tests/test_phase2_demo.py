"""The demo's Phase 2 draft moves partners in the what-if: retention and certified people hold some back."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from demo.people import seed_people
from enablement import demo as enablement_demo
from portal.models import Tier
from tiers import demo
from tiers.models import Metric, RuleSet, RuleSetStatus
from tiers.whatif import what_if

TODAY = dt.date(2026, 11, 26)


@pytest.mark.django_db
def test_the_demo_phase2_draft_holds_partners_back_in_the_whatif():
    rng = random.Random(2022)
    people = seed_people(rng=rng, password="demo-password", today=TODAY)
    demo.seed(rng=rng, people=people, today=TODAY)
    enablement_demo.seed(rng=rng, people=people, today=TODAY)
    draft = RuleSet.objects.get(name=demo.PHASE2_DRAFT_NAME)

    result = what_if(rule_set=draft, month=dt.date(2026, 10, 1))

    assert draft.status == RuleSetStatus.DRAFT
    held_back = {(e.tier, e.metric): e.held_back for e in result.requirement_effects}
    assert held_back[Tier.GOLD, Metric.CUSTOMER_REVENUE_RETENTION] > 0
    assert held_back[Tier.GOLD, Metric.CERTIFIED_PEOPLE] > 0
    assert result.down_count > 0  # partners Gold or above today that the draft would not keep there
    assert result.unmeasured == []  # enablement registers both knowledge sources
