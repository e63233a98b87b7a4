"""Phase 2 on the pages: the what-if counts who each requirement holds back; "My tier" shows the metrics
the rules in force use (value, requirement for the current and next tier, gap) and nothing otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import Tier
from tests.factories import PartnerFactory
from tiers import metric_sources
from tiers.models import Metric, MonthlySnapshot, RuleSetStatus
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, snapshot_make
from tiers.tests.phase2_factories import PAGE_PHASE2, certify, requirements_add

D = Decimal
OCT = dt.date(2025, 10, 1)
OCT_2024 = dt.date(2024, 10, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


def _text(response) -> str:
    return " ".join(response.content.decode().split())


# --- what-if --------------------------------------------------------------------------


@pytest.fixture
def phase2_draft(db):
    rule_set_make(name="In force")
    draft = rule_set_make(name="2026 Phase 2 (draft)", effective_from=dt.date(2026, 7, 16), status=RuleSetStatus.DRAFT)
    requirements_add(draft, PAGE_PHASE2)
    return draft


@pytest.fixture
def phase2_partners(db):
    """Each sells US$40,000 (1,200 points: Gold on points). Retention and certified people differ."""
    shapes = {  # name: (MRR 12 months before, certified people)
        "Ready": (40000, 2),  # 100 % retained, 2 people: Gold
        "Uncertified": (40000, 0),  # held back by certified people alone
        "New": (None, 2),  # no customers a year ago: held back by retention alone
        "Both": (100000, 1),  # 40 % retained and 1 person: fails both, held back by neither alone
    }
    result = {}
    for name, (before, people) in shapes.items():
        partner = PartnerFactory(name=name)
        mrr_make(partner=partner, month=OCT, domain=f"{name}.example", sold=40000)
        if before is not None:
            mrr_make(partner=partner, month=OCT_2024, domain=f"{name}.example", sold=before)
        certify(partner, *[f"P{n} <p{n}@{name}.example>" for n in range(people)])
        result[name] = partner
    return result


def test_whatif_counts_who_each_phase2_requirement_holds_back(client_for, staff, phase2_draft, phase2_partners):
    response = client_for(staff).get(reverse("tiers:whatif"), {"rule_set": phase2_draft.pk, "month": "2025-10-01"})

    effects = {(e.tier, e.metric): (e.failing, e.held_back) for e in response.context["result"].requirement_effects}
    assert effects[Tier.GOLD, Metric.CUSTOMER_REVENUE_RETENTION] == (2, 1)  # New and Both fail; New alone
    assert effects[Tier.GOLD, Metric.CERTIFIED_PEOPLE] == (2, 1)  # Uncertified and Both; Uncertified alone
    assert effects[Tier.GOLD, Metric.POINTS] == (0, 0)
    # Platinum: nobody has its 4,000 points, so no Phase 2 requirement holds anyone back there.
    assert effects[Tier.PLATINUM, Metric.CERTIFIED_PEOPLE] == (4, 0)
    shares = {s.tier: s.draft for s in response.context["result"].shares}
    assert shares[Tier.GOLD] == 1  # only Ready; the points-only rules in force make all four Gold
    text = _text(response)
    assert "What each requirement holds back" in text
    assert "Customer revenue retention (%) ≥ 80%" in text
    assert "Customer success" in text and "Knowledge" in text


def test_whatif_of_a_points_only_draft_shows_no_requirement_table(client_for, staff, phase2_partners):
    rule_set_make(name="In force")
    draft = rule_set_make(name="Points draft", effective_from=dt.date(2026, 7, 16), status=RuleSetStatus.DRAFT)

    response = client_for(staff).get(reverse("tiers:whatif"), {"rule_set": draft.pk, "month": "2025-10-01"})

    assert response.context["result"].requirement_effects == []
    assert 'data-testid="requirement-effects"' not in response.content.decode()


def test_whatif_names_a_required_metric_nothing_measures(client_for, staff, phase2_partners, monkeypatch):
    monkeypatch.delitem(metric_sources._SOURCES, str(Metric.REVIEW_RATING), raising=False)
    rule_set_make(name="In force")
    draft = rule_set_make(name="Rated draft", effective_from=dt.date(2026, 7, 16), status=RuleSetStatus.DRAFT)
    requirements_add(draft, {tier: {"review_rating": "4"} for tier in Tier.ladder()})

    response = client_for(staff).get(reverse("tiers:whatif"), {"rule_set": draft.pk, "month": "2025-10-01"})

    assert "nothing measures yet, so every partner counts 0 for: Client review rating." in _text(response)
    effects = {(e.tier, e.metric): e.held_back for e in response.context["result"].requirement_effects}
    assert effects[Tier.GOLD, Metric.REVIEW_RATING] == 4


def test_whatif_with_phase2_query_count_is_constant(
    client_for, staff, phase2_draft, phase2_partners, django_assert_max_num_queries
):
    client = client_for(staff)
    for i in range(20):
        partner = PartnerFactory()
        mrr_make(partner=partner, month=OCT, domain=f"more{i}.example", sold=100)
        certify(partner, f"X <x{i}@more.example>")
    # The points what-if's 23, plus the one aggregate of the requirements' effects.
    with django_assert_max_num_queries(24):
        client.get(reverse("tiers:whatif"), {"rule_set": phase2_draft.pk, "month": "2025-10-01"})


def test_whatif_is_for_staff_only(client_for, cam, partner_member, phase2_draft):
    url = reverse("tiers:whatif")
    for user in (cam, partner_member):
        assert client_for(user).get(url, {"rule_set": phase2_draft.pk, "month": "2025-10-01"}).status_code in (403, 404)


# --- "My tier" ------------------------------------------------------------------------------


@pytest.fixture
def phase2_in_force(db):
    rule_set = rule_set_make(name="Phase 2 in force")
    requirements_add(rule_set, PAGE_PHASE2)
    return rule_set


def _gold_history(partner, rule_set, **phase2):
    partner.tier = Tier.GOLD
    partner.tier_since = dt.date(2025, 1, 15)
    partner.save()
    for month in months_back(OCT, 6):
        snapshot_make(partner=partner, month=month, rule_set=rule_set, sales=D(600), managed=D(600), tier=Tier.GOLD)
    MonthlySnapshot.objects.filter(partner=partner).update(**phase2)


def test_dashboard_shows_the_phase2_values_against_the_current_and_next_tier(
    client_for, partner_member, partner, phase2_in_force
):
    _gold_history(partner, phase2_in_force, customer_revenue_retention=D("83.50"), certified_people=3)

    response = client_for(partner_member).get(reverse("tiers:dashboard"))

    rows = {row.metric: row for row in response.context["phase2_rows"]}
    assert list(rows) == [Metric.CUSTOMER_REVENUE_RETENTION, Metric.CERTIFIED_PEOPLE]
    crr = rows[Metric.CUSTOMER_REVENUE_RETENTION]
    assert (crr.current, crr.tier_threshold, crr.next_threshold, crr.gap) == (D("83.50"), D(80), D(85), D("1.50"))
    assert rows[Metric.CERTIFIED_PEOPLE].gap == 1
    text = _text(response)
    assert "Customer success and knowledge" in text
    assert "83.50% / 85%" in text  # the progress-to-Platinum measure
    assert "1.50 percentage points to go" in text
    assert "1 more certified person" in text


def test_dashboard_shows_no_phase2_card_when_the_rules_in_force_do_not_use_them(
    client_for, partner_member, partner, rule_set
):
    _gold_history(partner, rule_set)

    response = client_for(partner_member).get(reverse("tiers:dashboard"))

    assert response.context["phase2_rows"] == []
    text = response.content.decode()
    assert 'data-testid="phase2"' not in text and "measure-certified_people" not in text


def test_dashboard_measures_a_month_judged_before_the_phase2_rules_under_them(
    client_for, partner_member, partner, other_partner, rule_set, django_assert_max_num_queries
):
    """Snapshots judged by the points rules; a Phase 2 rule set took effect since: the latest month is
    measured under it for this partner alone (another partner's people never count)."""
    _gold_history(partner, rule_set)
    newer = rule_set_make(name="Phase 2 from November", effective_from=dt.date(2025, 11, 1))
    requirements_add(newer, PAGE_PHASE2)
    mrr_make(partner=partner, month=OCT_2024, domain="kept.example", sold=1000)
    mrr_make(partner=partner, month=OCT, domain="kept.example", sold=900)
    certify(partner, "Aiko <aiko@own.example>")
    certify(other_partner, "B <b@other.example>", "C <c@other.example>", "D <d@other.example>")
    client = client_for(partner_member)
    client.get(reverse("tiers:dashboard"))

    with django_assert_max_num_queries(25):  # the 21 of a dashboard + the rules in force (3) + one judged month
        response = client.get(reverse("tiers:dashboard"))

    rows = {row.metric: row for row in response.context["phase2_rows"]}
    assert rows[Metric.CUSTOMER_REVENUE_RETENTION].current == D("90.00")
    assert rows[Metric.CERTIFIED_PEOPLE].current == 1
    # One person of Gold's two: the current tier's requirement is not met under the new rules.
    assert rows[Metric.CERTIFIED_PEOPLE].meets_tier is False


def test_dashboard_with_phase2_query_count_is_constant(
    client_for, partner_member, partner, phase2_in_force, django_assert_max_num_queries
):
    _gold_history(partner, phase2_in_force, customer_revenue_retention=D("90"), certified_people=3)
    client = client_for(partner_member)
    client.get(reverse("tiers:dashboard"))

    with django_assert_max_num_queries(21):  # stored values: nothing more than a points-only dashboard
        client.get(reverse("tiers:dashboard"))


def test_cams_see_their_partners_phase2_values_and_nobody_elses(client_for, cam, other_cam, partner, phase2_in_force):
    _gold_history(partner, phase2_in_force, customer_revenue_retention=D("90"), certified_people=3)
    url = reverse("tiers:partner-dashboard", kwargs={"partner_id": partner.partner_id})

    own = client_for(cam).get(url)

    assert own.status_code == 200 and own.context["phase2_rows"]
    assert client_for(other_cam).get(url).status_code == 404


def test_dashboard_phase2_card_in_japanese(client_for, partner_member, partner, phase2_in_force):
    _gold_history(partner, phase2_in_force, customer_revenue_retention=D("83.50"), certified_people=3)

    text = _text(client_for(partner_member).get(reverse("tiers:dashboard"), HTTP_ACCEPT_LANGUAGE="ja"))

    assert "カスタマーサクセスとナレッジ" in text and "Customer success and knowledge" not in text
    assert "83.50%" in text and "あと1.50パーセントポイント" in text


def test_tier_gap_and_keep_tier_plan_include_the_phase2_measures(phase2_in_force):
    from tiers import progress
    from tiers.engine import rules_load

    requirements = rules_load(phase2_in_force).requirements
    snapshot = MonthlySnapshot(
        month=OCT, rule_set=phase2_in_force, sales_points=D(600), managed_points=D(600), certified_people=1
    )
    gap = progress.tier_gap(
        tier=Tier.GOLD, snapshot=snapshot, rule_set=phase2_in_force, requirements=requirements, em=False
    )
    preview = progress.ReassessmentPreview(
        on=dt.date(2026, 1, 15),
        current_tier=Tier.GOLD,
        outcome_tier=Tier.SOLUTIONS_PARTNER,
        months_met=[],
        window=months_back(dt.date(2025, 12, 1), 6),
        months_evaluated=4,
        months_pending=[dt.date(2025, 11, 1), dt.date(2025, 12, 1)],
    )

    plan = progress.keep_tier_plan(preview=preview, gap=gap)

    measures = {m.metric: m for m in gap.measures}
    assert [m.metric for m in gap.measures] == [
        "points",
        "min_sales_points",
        "customer_revenue_retention",
        "certified_people",
    ]
    retention, people = measures[Metric.CUSTOMER_REVENUE_RETENTION], measures[Metric.CERTIFIED_PEOPLE]
    assert (retention.measured, retention.met, retention.gap) == (False, False, D(80))  # no retention: not met
    assert (people.met, people.gap_count, people.unit) == (False, 1, "count")
    assert measures[Metric.POINTS].met
    assert {p.measure.metric for p in plan.paces} == {Metric.CUSTOMER_REVENUE_RETENTION, Metric.CERTIFIED_PEOPLE}


def test_the_keep_tier_card_names_the_phase2_requirements_to_meet(client_for, partner_member, partner, phase2_in_force):
    _gold_history(partner, phase2_in_force, customer_revenue_retention=D("70"), certified_people=1)
    MonthlySnapshot.objects.filter(partner=partner).update(achieved_tier=Tier.SOLUTIONS_PARTNER)

    response = client_for(partner_member).get(reverse("tiers:dashboard"))

    assert response.context["keep"] is not None
    text = _text(response)
    assert "Customer revenue retention: 70.00% in October 2025; 80% needed in a month that counts." in text
    assert "Certified people: 1 in October 2025; 2 needed in a month that counts." in text


def test_whatif_requirement_table_in_japanese(client_for, staff, phase2_draft, phase2_partners):
    response = client_for(staff).get(
        reverse("tiers:whatif"), {"rule_set": phase2_draft.pk, "month": "2025-10-01"}, HTTP_ACCEPT_LANGUAGE="ja"
    )

    text = _text(response)
    assert "各要件で足止めされるパートナー" in text and "What each requirement holds back" not in text
    assert "顧客収益維持率（%） ≥ 80%" in text and "カスタマーサクセス" in text and "ナレッジ" in text
