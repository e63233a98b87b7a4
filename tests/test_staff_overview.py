"""The programme overview on the staff home: each figure equals the database and links to its own list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.home import decisions_waiting
from portal.models import Tier
from registrations.models import CommissionHold, RegistrationConfig, RegistrationStatus
from tests.factories import DealFactory, DomainRegistrationFactory, PartnerFactory, StaffFactory
from tiers.models import MonthlySnapshot, ProgrammeTargets, TierChange
from tiers.overview import at_risk, tier_distribution, tier_moves
from tiers.tests.dashboard_factories import rule_set_make, snapshot_make

D = Decimal
TODAY = dt.date(2026, 11, 20)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _snapshots(month: dt.date, tiers: dict[str, int]) -> None:
    rule_set = rule_set_make() if not hasattr(_snapshots, "rule_set") else _snapshots.rule_set
    for tier, count in tiers.items():
        for _ in range(count):
            snapshot_make(
                partner=PartnerFactory(), month=month, rule_set=rule_set, sales=D(10), managed=D(10), tier=tier
            )


@pytest.fixture
def rule_set(db):
    rule_set = rule_set_make()
    _snapshots.rule_set = rule_set
    yield rule_set
    del _snapshots.rule_set


def _changelist_count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


# --- tier distribution --------------------------------------------------------------------------------


def test_distribution_counts_each_month_and_its_share_against_the_targets(client_for, staff, rule_set):
    october = dt.date(2026, 10, 1)
    _snapshots(october, {Tier.SOLUTIONS_PARTNER: 5, Tier.GOLD: 12, Tier.PLATINUM: 5, Tier.DIAMOND: 2, Tier.ELITE: 1})
    _snapshots(dt.date(2026, 9, 1), {Tier.GOLD: 3})

    chart = tier_distribution(today=TODAY)

    assert len(chart.months) == 24 and chart.months[-1].month == october
    last = chart.months[-1]
    assert last.counts == {Tier.GOLD: 12, Tier.PLATINUM: 5, Tier.DIAMOND: 2, Tier.ELITE: 1}
    assert (last.tiered, last.untiered) == (20, 5)
    shares = {tier: (share, target, ok) for tier, share, target, ok in last.shares}
    assert shares[Tier.ELITE] == (D("5.0"), D(1), False)  # 1 of 20 tiered: above the top-1% target
    assert shares[Tier.DIAMOND] == (D("15.0"), D(10), False)
    assert shares[Tier.PLATINUM] == (D("40.0"), D(40), True)
    assert chart.months[-2].counts == {Tier.GOLD: 3}
    client = client_for(staff)
    for tier, count, link in last.cells:
        assert (
            _changelist_count(client, link)
            == count
            == MonthlySnapshot.objects.filter(month=october, achieved_tier=tier).count()
        )


def test_distribution_target_lines_follow_the_targets_staff_edit(rule_set):
    ProgrammeTargets.objects.update_or_create(
        pk=1, defaults={"elite_percent": 2, "diamond_percent": 12, "platinum_percent": 35}
    )
    chart = tier_distribution(today=TODAY)
    assert [(tier, target) for tier, target, _y in chart.target_lines] == [
        (Tier.ELITE, D(2)),
        (Tier.DIAMOND, D(12)),
        (Tier.PLATINUM, D(35)),
    ]


# --- promotions and demotions ------------------------------------------------------------------------


def _change(partner, from_tier: str, to_tier: str, on: dt.date, reason=TierChange.Reason.PROMOTION) -> None:
    TierChange.objects.create(partner=partner, from_tier=from_tier, to_tier=to_tier, reason=reason, effective_on=on)


def test_moves_count_promotions_and_demotions_per_month_and_link_to_them(client_for, staff):
    a, b, c = PartnerFactory(), PartnerFactory(), PartnerFactory()
    _change(a, Tier.SOLUTIONS_PARTNER, Tier.GOLD, dt.date(2026, 7, 1))
    _change(b, Tier.GOLD, Tier.DIAMOND, dt.date(2026, 7, 31))
    _change(c, Tier.PLATINUM, Tier.GOLD, dt.date(2026, 7, 15), TierChange.Reason.REASSESSMENT)
    _change(a, Tier.GOLD, Tier.SOLUTIONS_PARTNER, dt.date(2026, 8, 1), TierChange.Reason.MANUAL)
    _change(c, Tier.GOLD, Tier.PLATINUM, dt.date(2024, 11, 30))  # before the 24 months

    chart = tier_moves(today=TODAY)

    by_month = {m.month: (m.up, m.down) for m in chart.months}
    assert by_month[dt.date(2026, 7, 1)] == (2, 1)
    assert by_month[dt.date(2026, 8, 1)] == (0, 1)
    assert (chart.up_total, chart.down_total) == (2, 2)
    assert chart.months[0].month == dt.date(2024, 12, 1) and chart.months[-1].month == dt.date(2026, 11, 1)
    july = next(m for m in chart.months if m.month == dt.date(2026, 7, 1))
    client = client_for(staff)
    assert _changelist_count(client, july.up_link) == 2
    assert _changelist_count(client, july.down_link) == 1


# --- partners at risk ---------------------------------------------------------------------------------


def test_at_risk_counts_partners_below_their_tier_so_far_and_the_page_lists_them(client_for, staff, rule_set):
    # Next reassessment 2027-01-15 judges Jul–Dec 2026; October and September are evaluated.
    risky, safe = PartnerFactory(tier=Tier.PLATINUM), PartnerFactory(tier=Tier.GOLD)
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
        snapshot_make(partner=risky, month=month, rule_set=rule_set, sales=D(1), managed=D(1), tier=Tier.GOLD)
        snapshot_make(partner=safe, month=month, rule_set=rule_set, sales=D(1), managed=D(1), tier=Tier.GOLD)

    figures = at_risk(today=TODAY)

    assert figures.on == dt.date(2027, 1, 15)
    assert {tier: n for tier, n, _l in figures.by_tier} == {
        Tier.GOLD: 0,
        Tier.PLATINUM: 1,
        Tier.DIAMOND: 0,
        Tier.ELITE: 0,
    }
    link = next(link for tier, _n, link in figures.by_tier if tier == Tier.PLATINUM)
    page = client_for(staff).get(link)
    assert [p.partner_id for p in page.context["page"]] == [risky.partner_id]
    assert page.context["page"][0].best_tier == Tier.GOLD


def test_at_risk_page_is_for_staff_only(client_for, partner_admin, cam):
    assert client_for(partner_admin).get(reverse("tiers:at-risk")).status_code == 404
    assert client_for(cam).get(reverse("tiers:at-risk")).status_code == 404


# --- registrations and decisions waiting ------------------------------------------------------------


def test_over_cap_and_holds_figures_match_the_database_and_their_lists(client_for, staff):
    config = RegistrationConfig.get()
    over = PartnerFactory(tier=Tier.GOLD)
    at_cap = PartnerFactory(tier=Tier.GOLD)
    DomainRegistrationFactory.create_batch(
        config.cap_gold + 1, partner=over, status=RegistrationStatus.REGISTERED, expires_on=dt.date(2030, 1, 1)
    )
    DomainRegistrationFactory.create_batch(
        config.cap_gold, partner=at_cap, status=RegistrationStatus.REGISTERED, expires_on=dt.date(2030, 1, 1)
    )
    CommissionHold.objects.create(partner=over, started_on=dt.date(2026, 5, 1), live_at_start=16, cap_at_start=15)
    CommissionHold.objects.create(
        partner=at_cap, started_on=dt.date(2026, 1, 1), ended_on=dt.date(2026, 3, 1), live_at_start=16, cap_at_start=15
    )
    client = client_for(staff)

    section = next(s for s in client.get("/").context["overview"] if s.key == "registration-caps")
    figures = section.data["figures"]

    assert (figures.over_cap, figures.holds) == (1, 1)
    assert _changelist_count(client, figures.over_cap_url) == config.cap_gold + 1
    assert _changelist_count(client, figures.holds_url) == 1


def test_decisions_waiting_by_kind_and_age(client_for, staff):
    now = timezone.now()
    partner = PartnerFactory()
    for days in (0, 1, 3, 10, 30):
        DomainRegistrationFactory(partner=partner, submitted_at=now - dt.timedelta(days=days, hours=1))
    DealFactory(partner=partner, submitted_at=now - dt.timedelta(days=8))
    DomainRegistrationFactory(partner=partner, status=RegistrationStatus.REGISTERED, submitted_at=now)

    rows = {row.key: row for row in decisions_waiting(user=staff, now=now)}

    domains = rows["domain-registrations"]
    assert (domains.recent, domains.week, domains.older, domains.total) == (2, 1, 2, 5)
    assert domains.oldest == now - dt.timedelta(days=30, hours=1)
    assert (rows["deals"].older, rows["deals"].total) == (1, 1)
    assert {"pug-applications", "hug-leader-applications", "deib-applications", "accreditation-applications"} <= set(
        rows
    )
    assert _changelist_count(client_for(staff), domains.url) == 5


# --- the page --------------------------------------------------------------------------------------------


def test_staff_home_shows_every_section_with_its_chart_and_table(client_for, staff, rule_set):
    _snapshots(dt.date(2026, 10, 1), {Tier.GOLD: 2, Tier.ELITE: 1})
    page = client_for(staff).get("/").content.decode()

    for key in ("tier-distribution", "tier-moves", "at-risk", "registration-caps"):
        assert f'data-testid="overview-{key}"' in page
    assert 'data-testid="distribution-chart"' in page and 'data-testid="distribution-table"' in page
    assert 'data-testid="moves-chart"' in page and 'data-testid="decisions-waiting"' in page
    assert "/static/tiers/overview.css" in page
    assert 'style="' not in page and "<script>" not in page  # strict CSP: no inline styles or scripts


def test_staff_home_in_japanese(client_for, staff, rule_set):
    client = client_for(staff)
    client.cookies["django_language"] = "ja"
    page = client.get("/", headers={"accept-language": "ja"}).content.decode()
    assert "ティア分布と目標" in page and "判断待ち" in page


@pytest.mark.parametrize("partners", [3, 30])
def test_staff_home_query_count_does_not_grow_with_partners(
    client_for, rule_set, partners, django_assert_max_num_queries
):
    staff = StaffFactory(email="pin@example.test")
    for i in range(partners):
        partner = PartnerFactory(tier=Tier.GOLD)
        snapshot_make(
            partner=partner, month=dt.date(2026, 10, 1), rule_set=rule_set, sales=D(1), managed=D(1), tier=Tier.GOLD
        )
        _change(partner, Tier.SOLUTIONS_PARTNER, Tier.GOLD, dt.date(2026, 8, 1 + i % 28))
        DomainRegistrationFactory(partner=partner)
    client = client_for(staff)
    with django_assert_max_num_queries(32):  # the same for 3 and 30 partners
        client.get("/")


def test_each_duty_sees_the_figures_it_can_open(client_for):
    reviewer = StaffFactory(email="reviewer@example.test", groups=["Reviewers"])
    manager = StaffFactory(email="manager@example.test", groups=["Programme managers"])

    seen = {}
    for who in (reviewer, manager):
        response = client_for(who).get("/")
        seen[who] = (
            {s.key for s in response.context["overview"]},
            {row.key for row in response.context["decisions"]},
        )

    assert seen[reviewer] == (
        set(),
        {
            "pug-applications",
            "hug-leader-applications",
            "deib-applications",
            "accreditation-applications",
            "client-reviews",
        },
    )
    assert seen[manager] == (
        {"tier-distribution", "tier-moves", "at-risk", "registration-caps"},
        {"domain-registrations", "deals"},
    )
