"""The rounding and comparing rule: each customer's points rounded half-up to two places, partners' exact sums.

So the breakdown always adds up to the snapshot, and the two-place figure a page
shows is the figure compared with the thresholds (docs/rules.md).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.status import partner_status
from portal.models import Partner, PartnerKind, Tier
from tests.factories import PartnerFactory
from tiers import engine, services
from tiers.breakdown import customer_rows
from tiers.models import MonthlySnapshot
from tiers.tests.factories import (
    EQUAL_TO_USD100,
    legacy_rules,
    mrr,
    points_rules,
)

pytestmark = pytest.mark.django_db
JULY = dt.date(2022, 7, 1)
# The rule is exact decimal arithmetic: PostgreSQL numeric. SQLite (the first-run default) computes in floats.
exact_decimals = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exact decimal sums need PostgreSQL numeric; SQLite uses floats"
)


def breakdown_sums(*, partner: Partner, month: dt.date, rule_set) -> tuple[Decimal, Decimal, Decimal]:
    rows = list(customer_rows(partner=partner, month=month, rule_set=rule_set))
    zero = Decimal(0)
    return (
        sum((r.sales_points for r in rows), zero),
        sum((r.managed_points for r in rows), zero),
        sum((r.total_points for r in rows), zero),
    )


# --- property: the breakdown adds up, whatever the rows ------------------------------------

COUNTRIES = ["US", "JP", "DE", "MX", "BR", "IN", "ZA"]  # MX, BR, IN, ZA are emerging markets (SPEC §3.3)
CUSTOMER_ROW = st.tuples(
    st.sampled_from(sorted(EQUAL_TO_USD100)),
    st.sampled_from(COUNTRIES),
    st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False),
)


@pytest.fixture
def rule_sets():
    return {
        "points": points_rules(multiplier="1.5"),
        "points ×2": points_rules(name="Points ×2", effective_from="2022-08-01", multiplier="2", draft=True),
        "legacy": legacy_rules(),
    }


@exact_decimals
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(CUSTOMER_ROW, min_size=0, max_size=12),
    which=st.sampled_from(["points", "points ×2", "legacy"]),
    partner_country=st.sampled_from(COUNTRIES),
)
def test_breakdown_rows_add_up_exactly_to_the_partners_month(rule_sets, rows, which, partner_country):
    rule_set = rule_sets[which]
    partner = PartnerFactory(country=partner_country)
    for index, (currency, country, sold, managed) in enumerate(rows):
        mrr(
            partner,
            "2022-07",
            customer_domain=f"c{index}.example",
            currency=currency,
            customer_country=country,
            sold=str(sold),
            managed=str(managed),
        )

    [month] = engine.compute_month(month=JULY, rule_set=rule_set, partner_ids=[partner.pk])
    sales, managed, total = breakdown_sums(partner=partner, month=JULY, rule_set=rule_set)

    if which == "legacy":
        # Legacy: no points; USD is money, the month's exact sum in cents once, so the breakdown's
        # per-customer cents differ from it by at most their rounding.
        tolerance = Decimal("0.005") * len(rows)
        assert abs(sales - month.sold_mrr_usd) <= tolerance and abs(managed - month.managed_mrr_usd) <= tolerance
        assert month.points == 0
    else:
        assert (sales, managed, total) == (month.sales_points, month.managed_points, month.points)
        assert month.points == month.sales_points + month.managed_points
    for figure in (month.sales_points, month.managed_points, month.sold_mrr_usd, month.managed_mrr_usd):
        assert figure == figure.quantize(Decimal("0.01"))


# --- 299.995: shown and judged alike ---------------------------------------------------------


@pytest.mark.parametrize(
    ("managed", "points", "tier", "progress"),
    [
        # 90 sales points + 209.995 managed points: the customer's managed points round to 210.00.
        ("20999.50", Decimal("300.00"), Tier.PLATINUM, "300.00 / 1,000"),
        # 90 + 209.9949: 209.99 → 299.99, shown as such and below the Platinum 300.
        ("20999.49", Decimal("299.99"), Tier.GOLD, "299.99 / 300"),
    ],
)
def test_a_partner_at_the_threshold_is_judged_on_the_figure_it_is_shown(
    client_for, partner_member, managed, points, tier, progress
):
    rules = points_rules(effective_from="2022-01-01")
    partner = partner_member.partner
    mrr(partner, "2022-07", customer_domain="a.example", sold="3000")  # 90.00 sales points
    mrr(partner, "2022-07", customer_domain="b.example", managed=managed)  # USD managed coefficient 0.01

    services.month_evaluate(month=JULY)

    snapshot = MonthlySnapshot.objects.get(partner=partner, month=JULY)
    assert (snapshot.points, snapshot.achieved_tier) == (points, tier)
    assert breakdown_sums(partner=partner, month=JULY, rule_set=rules)[2] == points
    [status_month] = partner_status(partner)["snapshots"]
    assert (status_month["points"], status_month["achieved_tier"]) == (str(points), tier)
    csv = b"".join(client_for(partner_member).get(reverse("tiers:breakdown-csv"), {"month": "2022-07-01"}))
    totals = [Decimal(line.rsplit(",", 1)[1]) for line in csv.decode().strip().splitlines()[1:]]
    assert sum(totals) == points
    partner.refresh_from_db()
    assert partner.tier == tier  # promoted on the figure shown
    page = client_for(partner_member).get(reverse("tiers:dashboard")).content.decode()
    assert progress in page  # the progress card towards the next tier shows the same two-place figure


# --- the demo data ----------------------------------------------------------------------------


def test_on_the_demo_data_every_partners_breakdown_adds_up_to_each_months_snapshot():
    from demo.people import seed_people
    from tiers import demo

    rng = random.Random(2022)
    people = seed_people(rng=rng, password="demo-password", today=dt.date(2026, 11, 26))
    demo.seed(rng=rng, people=people, today=dt.date(2026, 11, 26))

    snapshots = MonthlySnapshot.objects.select_related("partner", "rule_set").order_by("partner_id", "month")
    checked = 0
    # Every month of the demo is a points month (legacy months carry USD, which is money: docs/rules.md).
    for snapshot in snapshots.filter(partner__kind=PartnerKind.SOLUTIONS_PARTNER, rule_set__framework="points"):
        sales, managed, total = breakdown_sums(
            partner=snapshot.partner, month=snapshot.month, rule_set=snapshot.rule_set
        )
        assert (sales, managed, total) == (snapshot.sales_points, snapshot.managed_points, snapshot.points), snapshot
        checked += 1
    assert checked > 1000


# --- the tier achieved: SQL (the run) and Python (the rule) agree ------------------------------

METRIC_VALUE = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@exact_decimals
@settings(max_examples=80, deadline=None)
@given(
    thresholds=st.dictionaries(
        st.sampled_from(Tier.ladder()),
        st.dictionaries(st.sampled_from(["points", "min_sales_points", "sold_mrr"]), METRIC_VALUE, min_size=1),
    ),
    points=METRIC_VALUE,
    sales=METRIC_VALUE,
)
def test_the_runs_sql_judges_the_tier_as_the_engines_rule(thresholds, points, sales):
    values = {"points": points, "min_sales_points": sales}  # sold_mrr unmeasured: never met
    case, params = engine.achieved_tier_sql(requirements=thresholds, values={m: m for m in values})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {case} FROM (SELECT %s::numeric AS points, %s::numeric AS min_sales_points) v",
            [*params, points, sales],
        )
        [sql_tier] = cursor.fetchone()
    assert sql_tier == engine.achieved_tier(requirements=thresholds, values=values)
