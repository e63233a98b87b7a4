"""The partner's "My tier" page: what it says, what it computes, who may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from portal.models import PartnerKind, Tier
from tests.factories import PartnerFactory
from tiers.models import TierChange
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, snapshot_make

D = Decimal
TODAY = dt.date(2025, 11, 20)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


def _history(partner, rule_set, tiers_by_month: dict[dt.date, str] | None = None, count: int = 24):
    """Snapshots up to Oct 2025: 1000 points a month growing 2% a month, Gold in Aug and Oct."""
    tiers_by_month = tiers_by_month or {dt.date(2025, 8, 1): Tier.GOLD, dt.date(2025, 10, 1): Tier.GOLD}
    for i, month in enumerate(months_back(dt.date(2025, 10, 1), count)):
        sales = (D(300) * D("1.02") ** i).quantize(D("0.0001"))
        managed = (D(400) * D("1.02") ** i).quantize(D("0.0001"))
        snapshot_make(
            partner=partner,
            month=month,
            rule_set=rule_set,
            sales=sales,
            managed=managed,
            tier=tiers_by_month.get(month, Tier.SOLUTIONS_PARTNER),
        )


def _customers(partner, month: dt.date, count: int) -> None:
    for i in range(count):
        mrr_make(partner=partner, month=month, domain=f"c{i:03d}.example", sold=100 + i, managed=200)


@pytest.fixture
def gold_partner(partner, rule_set):
    partner.tier = Tier.GOLD
    partner.tier_since = dt.date(2025, 1, 15)
    partner.save()
    _history(partner, rule_set)
    return partner


def test_dashboard_says_what_the_next_reassessment_would_give(client_for, partner_member, gold_partner):
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    text = response.content.decode()
    assert "You keep Gold on 15 Jan 2026: you met Gold in Aug and Oct." in " ".join(text.split())
    assert response.context["preview"].on == dt.date(2026, 1, 15)
    assert response.context["preview"].months_evaluated == 4  # Jul–Oct of Jul–Dec so far


def test_dashboard_warns_when_the_reassessment_would_lower_the_tier(client_for, partner_member, partner, rule_set):
    partner.tier = Tier.PLATINUM
    partner.save()
    _history(partner, rule_set)
    text = " ".join(client_for(partner_member).get(reverse("tiers:dashboard")).content.decode().split())
    assert (
        "You would move down to Gold on 15 Jan 2026: your best months so far (Aug and Oct) met Gold, not Platinum."
        in text
    )


def test_partner_without_evaluated_months_in_the_window_keeps_the_tier(client_for, partner_member, partner, rule_set):
    partner.tier = Tier.GOLD
    partner.save()
    snapshot_make(
        partner=partner, month=dt.date(2025, 3, 1), rule_set=rule_set, sales=D(1), managed=D(1), tier=Tier.GOLD
    )
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    assert response.context["preview"].outcome_tier == Tier.GOLD
    assert response.context["preview"].direction == "keep"


def test_progress_bars_measure_latest_month_against_next_tier(client_for, partner_member, gold_partner):
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    progress = response.context["progress"]
    assert progress.tier == Tier.PLATINUM
    points, sales = progress.measures
    latest = response.context["latest"]
    assert (points.current, points.threshold) == (latest.points, D(4000))
    assert (sales.current, sales.threshold) == (latest.sales_points, D(800))
    assert points.gap == D(4000) - latest.points
    assert f'aria-valuenow="{points.percent}"' in response.content.decode()


def test_get_to_selector_shows_the_gap_for_any_tier(client_for, partner_member, gold_partner):
    client = client_for(partner_member)
    body = client.get(reverse("tiers:gap"), {"tier": Tier.ELITE}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body  # just the partial
    gap = client.get(reverse("tiers:gap"), {"tier": Tier.ELITE}).context["gap"]
    assert gap.tier == Tier.ELITE
    assert gap.measures[0].threshold == D(40000)
    assert f"{gap.measures[0].gap:,.2f} points to go" in body


def test_chart_is_inline_svg_with_24_months_thresholds_and_a_table(client_for, partner_member, partner, rule_set):
    partner.tier = Tier.GOLD
    partner.save()
    _history(partner, rule_set, count=30)
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    body = response.content.decode()
    chart = response.context["chart"]
    assert len(chart.months) == 24
    assert chart.months[0].month == dt.date(2023, 11, 1)
    assert '<svg viewBox="0 0 760 300" role="img" aria-labelledby="chart-title chart-desc"' in body
    assert [path[0] for path in chart.threshold_paths][:1] == [Tier.GOLD]
    assert body.count('class="strip-') == 24
    assert body.count('<th scope="row">') == 24  # the data-table fallback
    assert "cdn" not in body.lower()


def test_yoy_growth_compares_same_month_a_year_earlier(client_for, partner_member, gold_partner):
    growth = client_for(partner_member).get(reverse("tiers:dashboard")).context["growth"]
    assert (growth.month, growth.previous_month) == (dt.date(2025, 10, 1), dt.date(2024, 10, 1))
    # 2% a month for 12 months = 26.8%: short of the ~30% needed to hold a tier.
    assert growth.percent == D("26.8")
    assert not growth.on_track


def test_tier_change_history_lists_reasons(client_for, partner_member, gold_partner):
    TierChange.objects.create(
        partner=gold_partner,
        from_tier=Tier.SOLUTIONS_PARTNER,
        to_tier=Tier.GOLD,
        reason=TierChange.Reason.PROMOTION,
        effective_on=dt.date(2025, 1, 15),
        note="Met Gold in Dec 2024",
    )
    body = client_for(partner_member).get(reverse("tiers:dashboard")).content.decode()
    assert "Monthly promotion" in body
    assert "Met Gold in Dec 2024" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tier_history_export_holds_the_changes_on_screen_and_is_scoped(
    client_for, partner_member, cam, other_cam, gold_partner, fmt
):
    from tests.export_files import column, export_rows

    for effective, before, after in (
        (dt.date(2024, 1, 15), "solutions_partner", "gold"),
        (dt.date(2025, 1, 15), "gold", "platinum"),
    ):
        TierChange.objects.create(
            partner=gold_partner,
            from_tier=before,
            to_tier=after,
            reason=TierChange.Reason.PROMOTION,
            effective_on=effective,
        )
    on_screen = client_for(partner_member).get(reverse("tiers:dashboard")).context["changes_history"]
    rows = export_rows(client_for(partner_member).get(reverse("tiers:tier-history-export", args=[fmt])))
    assert column(rows, "To") == [c.get_to_tier_display() for c in on_screen] == ["Platinum", "Gold"]
    url = reverse("tiers:partner-tier-history-export", kwargs={"partner_id": gold_partner.partner_id, "fmt": fmt})
    assert column(export_rows(client_for(cam).get(url)), "To") == ["Platinum", "Gold"]
    assert client_for(other_cam).get(url).status_code == 404


def test_provider_sees_that_providers_have_no_tier_ladder(client_for, db):
    from tests.factories import PartnerUserFactory

    provider = PartnerFactory(kind=PartnerKind.PROVIDER)
    user = PartnerUserFactory(partner=provider)
    response = client_for(user).get(reverse("tiers:dashboard"))
    assert "Providers have no tier ladder" in response.content.decode()
    assert client_for(user).get(reverse("tiers:breakdown"), HTTP_HX_REQUEST="true").status_code == 404


# --- breakdown ------------------------------------------------------------------


@pytest.fixture
def october_customers(gold_partner):
    month = dt.date(2025, 10, 1)
    mrr_make(
        partner=gold_partner,
        month=month,
        domain="tokyo.example",
        country="JP",
        currency="JPY",
        sold=120000,
        managed=240000,
    )
    mrr_make(
        partner=gold_partner, month=month, domain="saopaulo.example", country="BR", currency="USD", sold=1000, managed=0
    )
    mrr_make(
        partner=gold_partner, month=month, domain="berlin.example", country="DE", currency="EUR", sold=0, managed=750
    )
    return month


def test_breakdown_computes_coefficient_multiplier_and_points_per_customer(
    client_for, partner_member, october_customers
):
    response = client_for(partner_member).get(reverse("tiers:breakdown"), {"month": "2025-10-01"})
    rows = {r.customer_domain: r for r in response.context["breakdown"]["page"]}
    # JPY: 3 points per ¥12,000 sold, 1 per ¥12,000 managed; Japan is not an emerging market.
    assert rows["tokyo.example"].total_points == D(30) + D(20)
    # Brazil is an emerging market: 2× on 1,000 USD × 0.03.
    assert rows["saopaulo.example"].is_emerging
    assert rows["saopaulo.example"].total_points == D(60)
    assert rows["berlin.example"].total_points == D(10)
    body = client_for(partner_member).get(reverse("tiers:breakdown"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body
    assert "EM ×2" in body
    assert body.index("saopaulo.example") < body.index("tokyo.example") < body.index("berlin.example")


def _domains(response) -> list[str]:
    """Customer domains of the breakdown rows, in the order the htmx partial shows them."""
    return re.findall(r'<tr data-testid="breakdown-row">\s*<td>([^<]+)</td>', response.content.decode())


def test_breakdown_filters_and_sorts(client_for, partner_member, october_customers):
    client = client_for(partner_member)
    url = reverse("tiers:breakdown")
    only_em = client.get(url, {"month": "2025-10-01", "em": "yes"}, HTTP_HX_REQUEST="true")
    assert _domains(only_em) == ["saopaulo.example"]
    by_domain = client.get(url, {"month": "2025-10-01", "sort": "domain"}, HTTP_HX_REQUEST="true")
    assert _domains(by_domain) == ["berlin.example", "saopaulo.example", "tokyo.example"]
    searched = client.get(url, {"month": "2025-10-01", "q": "TOKYO", "currency": "JPY"}, HTTP_HX_REQUEST="true")
    assert _domains(searched) == ["tokyo.example"]


def test_breakdown_paginates(client_for, partner_member, gold_partner):
    _customers(gold_partner, dt.date(2025, 10, 1), 30)
    client = client_for(partner_member)
    first = client.get(reverse("tiers:breakdown"), {"sort": "domain"}, HTTP_HX_REQUEST="true")
    second = client.get(reverse("tiers:breakdown"), {"sort": "domain", "page": 2}, HTTP_HX_REQUEST="true")
    assert len(_domains(first)) == 25
    assert _domains(second) == [f"c{i:03d}.example" for i in range(25, 30)]
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"em": "yes"},
        {"em": "no"},
        {"country": "JP"},
        {"currency": "USD", "em": "yes"},
        {"country": "DE", "currency": "JPY"},
        {"q": "o.ex"},
    ],
)
def test_the_pagers_count_is_the_filtered_rows(client_for, partner_member, october_customers, params):
    # The count comes from the month's (country, currency, emerging) groups, not a COUNT(*) of the rows
    # (a domain search still counts them): it must be the number of rows the filters keep.
    response = client_for(partner_member).get(
        reverse("tiers:breakdown"), {"month": "2025-10-01", **params}, HTTP_HX_REQUEST="true"
    )
    shown = _domains(response)
    assert f"Export CSV ({len(shown)} row" in response.content.decode()  # the paginator's count


def test_breakdown_without_htmx_renders_the_whole_page(client_for, partner_member, october_customers):
    response = client_for(partner_member).get(reverse("tiers:breakdown"), {"em": "yes"})
    body = response.content.decode()
    assert "<html" in body and "Points history" in body
    assert [r.customer_domain for r in response.context["breakdown"]["page"]] == ["saopaulo.example"]


def test_csv_export_has_exactly_the_filtered_sorted_rows(client_for, partner_member, october_customers):
    response = client_for(partner_member).get(
        reverse("tiers:breakdown-csv"), {"month": "2025-10-01", "sort": "-sold", "em": "no"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="P10001-customers-2025-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Domain" and rows[0][-1] == "Points"
    assert [r[0] for r in rows[1:]] == ["tokyo.example", "berlin.example"]
    assert rows[1][-1] == "50.00"


def test_excel_export_has_the_same_rows_as_the_csv_with_typed_numbers(client_for, partner_member, october_customers):
    from tests.export_files import column, export_rows

    query = {"month": "2025-10-01", "sort": "-sold", "em": "no"}
    client = client_for(partner_member)
    response = client.get(reverse("tiers:breakdown-xlsx"), query)
    assert 'filename="P10001-customers-2025-10.xlsx"' in response["Content-Disposition"]
    rows = export_rows(response)
    csv_rows = export_rows(client.get(reverse("tiers:breakdown-csv"), query))
    assert rows[0] == csv_rows[0]
    assert column(rows, "Domain") == column(csv_rows, "Domain") == ["tokyo.example", "berlin.example"]
    assert column(rows, "Points")[0] == 50 and isinstance(column(rows, "Sold MRR")[0], int | float)


# --- point changes -----------------------------------------------------------------


def test_point_changes_show_new_and_lost_customers(client_for, partner_member, gold_partner):
    sep, oct_ = dt.date(2025, 9, 1), dt.date(2025, 10, 1)
    mrr_make(partner=gold_partner, month=sep, domain="kept.example", sold=1000)
    mrr_make(partner=gold_partner, month=sep, domain="gone.example", sold=500)
    mrr_make(partner=gold_partner, month=oct_, domain="kept.example", sold=1200)
    mrr_make(partner=gold_partner, month=oct_, domain="fresh.example", managed=3000)
    response = client_for(partner_member).get(reverse("tiers:changes"), {"before": "2025-09-01", "after": "2025-10-01"})
    changes = {c.domain: c for c in response.context["point_changes"].changes}
    assert changes["gone.example"].kind == "lost" and changes["gone.example"].delta == D(-15)
    assert changes["fresh.example"].kind == "new" and changes["fresh.example"].delta == D(30)
    assert changes["kept.example"].kind == "up" and changes["kept.example"].delta == D(6)
    assert response.context["point_changes"].gained == D(36)
    assert response.context["point_changes"].lost == D(15)


def test_point_changes_never_read_another_partners_shared_rows(gold_partner, rule_set):
    """The dashboard shares one partner's customer rows between its parts; handed another's, they are ignored."""
    from tiers.breakdown import CustomerRows, point_changes

    other = PartnerFactory()
    sep, oct_ = dt.date(2025, 9, 1), dt.date(2025, 10, 1)
    mrr_make(partner=gold_partner, month=oct_, domain="own.example", sold=1000)
    mrr_make(partner=other, month=oct_, domain="other.example", sold=9000)
    changes = point_changes(
        partner=gold_partner, before=(sep, rule_set), after=(oct_, rule_set), customers=CustomerRows(other)
    )
    assert [c.domain for c in changes.changes] == ["own.example"]
    assert changes.gained == D(30)


# --- query counts --------------------------------------------------------------------


@pytest.mark.parametrize("customers", [3, 30])
def test_dashboard_query_count_is_constant(
    client_for, partner_member, gold_partner, customers, django_assert_max_num_queries
):
    for month in (dt.date(2025, 9, 1), dt.date(2025, 10, 1)):
        _customers(gold_partner, month, customers)
    client = client_for(partner_member)
    client.get(reverse("tiers:dashboard"))  # warm the session
    # 13 for the tier page itself (the point changes are one query; the rule set's coefficients and
    # emerging markets one; the filter choices and the pager's count one), 3 for the enablement
    # summary and award badges, 3 for the registrations panel beside the tier (its settings, one
    # aggregate, the open commission hold).
    with django_assert_max_num_queries(19):
        client.get(reverse("tiers:dashboard"))
    with django_assert_max_num_queries(9):
        client.get(reverse("tiers:breakdown"), {"page": 2}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("tiers:breakdown-csv"))
        b"".join(response.streaming_content)


# --- Japanese ---------------------------------------------------------------------------


def test_dashboard_renders_in_japanese(client_for, partner_member, gold_partner):
    body = client_for(partner_member).get(reverse("tiers:dashboard"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'lang="ja"' in body
    assert "マイティア" in body
    assert "次回の再評価" in body
    assert "顧客別ポイント" in body


def test_point_change_totals_count_every_customer_beyond_the_shown_rows(client_for, partner_member, gold_partner):
    for i in range(25):
        mrr_make(partner=gold_partner, month=dt.date(2025, 10, 1), domain=f"n{i:02d}.example", sold=100)
    response = client_for(partner_member).get(reverse("tiers:changes"), {"before": "2025-09-01", "after": "2025-10-01"})
    changes = response.context["point_changes"]
    assert len(changes.changes) == 20 and changes.changed_count == 25
    assert changes.gained == D(75)  # 25 × 3 points, not just the 20 shown
    assert "The 20 largest of 25 changes" in response.content.decode()


def test_legacy_rules_measure_sold_and_managed_mrr_with_the_partners_emerging_market_credit(client_for, db, settings):
    from tests.factories import PartnerUserFactory
    from tiers.models import Framework

    legacy = rule_set_make(
        name="Legacy 2021",
        framework=Framework.LEGACY,
        effective_from=dt.date(2021, 1, 1),
        thresholds={Tier.GOLD: (D(5000), D(10000)), Tier.PLATINUM: (D(15000), D(40000))},
    )
    brazil = PartnerFactory(country="BR", tier=Tier.SOLUTIONS_PARTNER)  # an emerging market: 2× credit
    snapshot_make(
        partner=brazil, month=dt.date(2022, 5, 1), rule_set=legacy, sales=D(90), managed=D(60), tier=Tier.GOLD
    )
    user = PartnerUserFactory(partner=brazil)
    with time_machine.travel(dt.datetime(2022, 6, 10, tzinfo=dt.UTC), tick=False):
        response = client_for(user).get(reverse("tiers:dashboard"))
    sold, managed = response.context["progress"].measures
    # Snapshot USD: sold 3,000, managed 6,000; doubled for a partner in an emerging market.
    assert (sold.metric, sold.current, sold.threshold) == ("sold_mrr", D(6000), D(5000))
    assert (managed.metric, managed.current, managed.threshold) == ("managed_mrr", D(12000), D(10000))
    assert sold.money and "US$6,000.00 / US$5,000" in response.content.decode()


# --- Enablement and awards on the dashboard (Phase-2 ready) ------------------------------


def test_dashboard_shows_own_certifications_accreditations_and_award_badges(
    client_for, partner_member, gold_partner, other_partner, staff
):
    from enablement.models import Accreditation, Certification, ImpactAward, PartnerAccreditation
    from enablement.services import award_publish

    Certification.objects.create(partner=gold_partner, holder_name="Ann", name="Inbound", issued_on=dt.date(2025, 1, 1))
    Certification.objects.create(
        partner=other_partner, holder_name="Zed", name="Other cert", issued_on=dt.date(2025, 1, 1)
    )
    crm = Accreditation.objects.filter(name="Advanced CRM").first() or Accreditation.objects.create(name="Advanced CRM")
    PartnerAccreditation.objects.create(
        partner=gold_partner, accreditation=crm, granted_on=dt.date(2025, 7, 1), next_review_on=dt.date(2026, 1, 1)
    )
    award = ImpactAward.objects.create(
        year=2024, region=gold_partner.region, category="partner_of_the_year", partner=gold_partner
    )
    award_publish(award=award, actor=staff)
    body = client_for(partner_member).get(reverse("tiers:dashboard")).content.decode()
    assert f'class="card enablement-summary" data-partner="{gold_partner.partner_id}"' in body
    assert "Advanced CRM" in body
    assert "Partner of the Year 2024" in body
    assert other_partner.partner_id not in body


# --- projection ----------------------------------------------------------------------------


def _snapshots(points: list[str]) -> list:
    from tiers.models import MonthlySnapshot

    months = months_back(dt.date(2025, 10, 1), len(points))
    return [MonthlySnapshot(month=m, points=D(p)) for m, p in zip(months, points, strict=True)]


def test_projection_follows_the_least_squares_line_of_the_last_six_months():
    from tiers.charts import points_projection

    # Older months do not count; the last six rise by exactly 10 a month.
    history = _snapshots(["900", "5", "100", "110", "120", "130", "140", "150"])
    assert points_projection(history) == [
        (dt.date(2025, 11, 1), D("160.00")),
        (dt.date(2025, 12, 1), D("170.00")),
        (dt.date(2026, 1, 1), D("180.00")),
    ]


def test_projection_never_goes_below_zero_and_needs_three_months_of_points():
    from tiers.charts import points_projection

    falling = points_projection(_snapshots(["300", "200", "100"]))
    assert [value for _, value in falling] == [D("0.00"), D("0.00"), D("0.00")]
    assert points_projection(_snapshots(["0", "0", "120", "130"])) == []


def test_chart_draws_the_projection_after_the_last_month(client_for, partner_member, gold_partner):
    body = client_for(partner_member).get(reverse("tiers:dashboard")).content.decode()
    assert 'data-testid="projection"' in body
    assert body.count('class="dot dot-projection"') == 3
    assert "Projection: the trend of the last six months" in body
    assert "November 2025:" in body and "January 2026:" in body  # the three projected months' titles


def test_dashboard_says_when_the_trend_reaches_the_next_target(client_for, partner_member, partner, rule_set):
    partner.tier = Tier.GOLD
    partner.save()
    # 3,250 → 3,750 (+100 a month): the trend passes Platinum's 4,000 in the projection's third month.
    for i, month in enumerate(months_back(dt.date(2025, 10, 1), 6)):
        snapshot_make(
            partner=partner, month=month, rule_set=rule_set, sales=D(1000), managed=D(2250 + 100 * i), tier="gold"
        )
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    assert response.context["reach"] == dt.date(2026, 1, 1)
    assert "your combined points reach the Platinum target in January 2026." in response.content.decode()


def test_no_reach_sentence_when_the_trend_falls_short(client_for, partner_member, gold_partner):
    # gold_partner grows ~2 % a month from ~1,100 points: nowhere near 4,000 within three months.
    response = client_for(partner_member).get(reverse("tiers:dashboard"))
    assert response.context["reach"] is None
    assert 'data-testid="reach"' not in response.content.decode()


def test_breakdown_selects_keep_the_chosen_values(client_for, partner_member, october_customers):
    body = (
        client_for(partner_member)
        .get(reverse("tiers:dashboard"), {"currency": "JPY", "month": "2025-10-01"})
        .content.decode()
    )
    currency = body[body.index('<select name="currency" id="id_currency">') :]
    currency = currency[: currency.index("</select>")]
    assert '<option value="JPY" selected>JPY</option>' in currency
    assert currency.count(" selected") == 1
