"""The programme overview's figures on the demo data (`seed_demo`), each recounted row by row in Python."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.home import AGE_BUCKETS
from portal.models import Partner, PartnerKind, Tier
from portal.months import add_months, month_start
from registrations.models import CommissionHold, DomainRegistration, RegistrationConfig, RegistrationStatus
from tiers.book import latest_closed_month
from tiers.engine import next_reassessment_date as next_reassessment
from tiers.engine import reassessment_months
from tiers.models import MonthlySnapshot, TierChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(client_for):
    call_command("seed_demo", verbosity=0)
    from portal.models import User

    client = client_for(User.objects.get(email="admin@example.com"))
    response = client.get("/")
    assert response.status_code == 200
    return {s.key: s.data for s in response.context["overview"]} | {"decisions": response.context["decisions"]}


def test_overview_figures_equal_the_demo_database(demo):
    today = timezone.localdate()

    # Tier distribution: the latest evaluated month, partner by partner.
    chart = demo["tier-distribution"]["chart"]
    last = latest_closed_month(today)
    assert chart.months[-1].month == last
    achieved = Counter(MonthlySnapshot.objects.filter(month=last).values_list("achieved_tier", flat=True))
    assert chart.months[-1].counts == {t: n for t, n in achieved.items() if t != Tier.SOLUTIONS_PARTNER}
    assert chart.months[-1].untiered == achieved[Tier.SOLUTIONS_PARTNER]
    assert (
        sum(m.tiered + m.untiered for m in chart.months)
        == MonthlySnapshot.objects.filter(month__gte=add_months(last, -23), month__lte=last).count()
    )

    # Promotions and demotions: every tier change of the 24 months, compared by rank.
    moves = demo["tier-moves"]["chart"]
    first = add_months(month_start(today), -23)
    expected: dict[dt.date, list[int]] = {}
    for change in TierChange.objects.filter(effective_on__gte=first):
        up_down = expected.setdefault(month_start(change.effective_on), [0, 0])
        if Tier.rank(change.to_tier) > Tier.rank(change.from_tier):
            up_down[0] += 1
        elif Tier.rank(change.to_tier) < Tier.rank(change.from_tier):
            up_down[1] += 1
    assert {m.month: [m.up, m.down] for m in moves.months if m.up or m.down} == {
        month: counts for month, counts in expected.items() if any(counts)
    }
    assert moves.up_total > 0 and moves.down_total > 0  # the demo has both

    # At risk: best tier achieved so far in the next reassessment's window below the tier held.
    window = reassessment_months(next_reassessment(today))
    best: dict[int, int] = {}
    for partner_id, tier in MonthlySnapshot.objects.filter(month__in=window).values_list("partner_id", "achieved_tier"):
        best[partner_id] = max(best.get(partner_id, 0), Tier.rank(tier))
    at_risk = Counter(
        p.tier
        for p in Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER)
        if p.pk in best and best[p.pk] < Tier.rank(p.tier)
    )
    assert {tier: n for tier, n, _link in demo["at-risk"]["at_risk"].by_tier} == {
        tier: at_risk.get(tier, 0) for tier in Tier.ladder()
    }

    # Registrations over cap and open commission holds.
    config = RegistrationConfig.get()
    live = Counter(
        DomainRegistration.objects.filter(
            status__in=[RegistrationStatus.PENDING, RegistrationStatus.REGISTERED]
        ).values_list("partner_id", flat=True)
    )
    over = [p for p in Partner.objects.all() if live[p.pk] > config.cap_for(p)]
    figures = demo["registration-caps"]["figures"]
    assert figures.over_cap == len(over) > 0
    assert figures.holds == CommissionHold.objects.filter(ended_on__isnull=True).count() > 0

    # Pending domain registrations by age.
    rows = {row.key: row for row in demo["decisions"]}
    now = timezone.now()
    ages = [now - r.submitted_at for r in DomainRegistration.objects.filter(status=RegistrationStatus.PENDING)]
    young, old = (dt.timedelta(days=d) for d in AGE_BUCKETS)
    domains = rows["domain-registrations"]
    assert domains.total == len(ages) > 0
    assert domains.older == sum(1 for age in ages if age >= old)
    assert domains.recent == sum(1 for age in ages if age < young)
