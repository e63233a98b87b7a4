"""The CAM's book: flags, sorting, filtering, search, scoping, query count."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import PartnerKind, Tier
from tests.factories import PartnerFactory
from tiers import engine
from tiers.tests.dashboard_factories import rule_set_make, snapshot_make

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


def _partner(cam, name, tier, points_by_month: dict[int, tuple[int, str]], rule_set, **extra):
    """points_by_month: {month number in 2025: (points, achieved tier)}."""
    partner = PartnerFactory(name=name, cam=cam, tier=tier, **extra)
    for month, (points, achieved) in points_by_month.items():
        snapshot_make(
            partner=partner,
            month=dt.date(2025, month, 1),
            rule_set=rule_set,
            sales=D(points) / 2,
            managed=D(points) / 2,
            tier=achieved,
        )
    return partner


@pytest.fixture
def book(cam, other_cam):
    rule_set = rule_set_make()
    partners = {
        # Platinum, but only Gold in Jul–Oct: the 15 Jan reassessment would lower it.
        "risky": _partner(cam, "Risky Co", Tier.PLATINUM, {9: (1500, Tier.GOLD), 10: (1200, Tier.GOLD)}, rule_set),
        # Gold at 3,700 of Platinum's 4,000: within 10%.
        "close": _partner(cam, "Close Co", Tier.GOLD, {9: (3000, Tier.GOLD), 10: (3700, Tier.GOLD)}, rule_set),
        "steady": _partner(cam, "Steady Co", Tier.GOLD, {9: (2000, Tier.GOLD), 10: (2000, Tier.GOLD)}, rule_set),
        "provider": _partner(cam, "Provider Co", Tier.SOLUTIONS_PARTNER, {}, rule_set, kind=PartnerKind.PROVIDER),
        "elsewhere": _partner(other_cam, "Elsewhere Co", Tier.GOLD, {10: (3900, Tier.GOLD)}, rule_set),
    }
    return partners


def _names(response) -> list[str]:
    return re.findall(r'<tr data-testid="book-row">\s*<td><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_book_lists_only_the_cams_partners_with_flags(client_for, cam, book):
    response = client_for(cam).get(reverse("tiers:book"))
    rows = {p.name: p for p in response.context["page"]}
    assert set(rows) == {"Risky Co", "Close Co", "Steady Co", "Provider Co"}
    assert rows["Risky Co"].at_risk and not rows["Risky Co"].near_promotion
    assert rows["Close Co"].near_promotion and not rows["Close Co"].at_risk
    assert not rows["Steady Co"].at_risk and not rows["Steady Co"].near_promotion
    assert rows["Close Co"].last_points == D(3700) and rows["Close Co"].trend == D(700)
    assert not rows["Provider Co"].at_risk


def test_at_risk_flag_agrees_with_the_engines_reassessment(client_for, cam, book):
    outcome = engine.reassessment_outcome(partner_ids=[p.pk for p in book.values()], on=dt.date(2026, 1, 15))
    rows = {p.pk: p for p in client_for(cam).get(reverse("tiers:book")).context["page"]}
    for partner in (book["risky"], book["close"], book["steady"]):
        new_tier = outcome.get(partner.pk, (partner.tier, []))[0]
        assert rows[partner.pk].at_risk == (Tier.rank(new_tier) < Tier.rank(partner.tier))


def test_book_filters_by_flag_and_tier_and_searches(client_for, cam, book):
    client = client_for(cam)
    url = reverse("tiers:book")
    assert _names(client.get(url, {"flag": "at_risk"}, HTTP_HX_REQUEST="true")) == ["Risky Co"]
    assert _names(client.get(url, {"flag": "near_promotion"}, HTTP_HX_REQUEST="true")) == ["Close Co"]
    assert _names(client.get(url, {"tier": "gold"}, HTTP_HX_REQUEST="true")) == ["Close Co", "Steady Co"]
    assert _names(client.get(url, {"q": "stead"}, HTTP_HX_REQUEST="true")) == ["Steady Co"]
    assert _names(client.get(url, {"q": book["risky"].partner_id}, HTTP_HX_REQUEST="true")) == ["Risky Co"]


def test_book_sorts_by_points_and_tier(client_for, cam, book):
    client = client_for(cam)
    url = reverse("tiers:book")
    by_points = _names(client.get(url, {"sort": "-points"}, HTTP_HX_REQUEST="true"))
    assert by_points[:3] == ["Close Co", "Steady Co", "Risky Co"]
    by_tier = _names(client.get(url, {"sort": "-tier"}, HTTP_HX_REQUEST="true"))
    assert by_tier[0] == "Risky Co"


def test_book_partial_is_a_fragment_and_the_page_is_whole(client_for, cam, book):
    client = client_for(cam)
    assert "<html" not in client.get(reverse("tiers:book"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" in client.get(reverse("tiers:book")).content.decode()


def test_book_rows_link_to_read_only_dashboards(client_for, cam, book):
    body = client_for(cam).get(reverse("tiers:book")).content.decode()
    assert reverse("tiers:partner-dashboard", kwargs={"partner_id": book["risky"].partner_id}) in body
    assert book["elsewhere"].partner_id not in body


def test_other_cam_sees_only_their_own_book(client_for, other_cam, book):
    response = client_for(other_cam).get(reverse("tiers:book"))
    assert [p.name for p in response.context["page"]] == ["Elsewhere Co"]


@pytest.mark.parametrize("extra", [0, 30])
def test_book_query_count_is_constant(client_for, cam, book, extra, django_assert_max_num_queries):
    rule_set = book["risky"].snapshots.first().rule_set
    for i in range(extra):
        _partner(cam, f"Extra {i}", Tier.GOLD, dict.fromkeys(range(1, 11), (1000 + i, Tier.GOLD)), rule_set)
    client = client_for(cam)
    client.get(reverse("tiers:book"))
    with django_assert_max_num_queries(8):
        client.get(reverse("tiers:book"), {"sort": "-points"})


def test_book_rows_carry_a_points_sparkline(client_for, cam, book):
    body = client_for(cam).get(reverse("tiers:book"), {"q": "Close"}, HTTP_HX_REQUEST="true").content.decode()
    # Six months May–Oct: zero until Sep (3,000), then Oct (3,700) at the top of the box.
    assert '<polyline points="0.0,18.0 16.0,18.0 32.0,18.0 48.0,18.0 64.0,5.0 80.0,2.0"/>' in body


def test_book_renders_in_japanese(client_for, cam, book):
    body = client_for(cam).get(reverse("tiers:book"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "担当パートナー" in body and "降格の恐れ" in body and "昇格間近" in body


def test_book_flags_agree_with_the_engines_per_partner_rules(cam):
    """The set-based flags of the book (SQL) and the engine's per-partner rules (Python) are one definition."""
    from itertools import product

    from portal.models import Partner
    from tiers.book import book_rows
    from tiers.progress import next_tier, requirements_by_rule_set

    rule_set = rule_set_make()
    targets = requirements_by_rule_set({rule_set.pk})[rule_set.pk]
    # Every current tier × last month's points around each threshold × best tier of the window.
    points_choices = [0, 899, 900, 999, 3599, 3600, 3999, 4000, 10800, 12000, 36000, 39999]
    for index, (tier, points, achieved) in enumerate(
        product(Tier.values, points_choices, [None, Tier.SOLUTIONS_PARTNER, Tier.GOLD, Tier.DIAMOND])
    ):
        partner = PartnerFactory(name=f"Partner {index:03d}", cam=cam, tier=tier)
        if achieved is not None:
            snapshot_make(
                partner=partner, month=dt.date(2025, 10, 1), rule_set=rule_set, sales=D(points), managed=D(0),
                tier=achieved,
            )  # fmt: skip
    today = dt.date(2025, 11, 20)
    outcome = engine.reassessment_outcome(partner_ids=None, on=engine.next_reassessment_date(today))
    rows = book_rows(partners=Partner.objects.filter(cam=cam), today=today)
    checked = 0
    for row in rows:
        best = outcome.get(row.pk, (None, []))[0]
        above = next_tier(row.tier)
        target = targets.get(above, {}).get("points") if above else None
        assert row.at_risk == engine.is_at_risk(tier=row.tier, best_in_window=best), row.name
        assert row.near_promotion == engine.is_near_promotion(points=row.last_points, next_target=target), row.name
        checked += 1
    assert checked == len(Tier.values) * len(points_choices) * 4
    assert any(r.at_risk for r in rows) and any(r.near_promotion for r in rows)


# --- exports: the same rows as on screen, the CAM's book only ------------------------------------

from openpyxl import load_workbook  # noqa: E402

from tests.export_files import body, column, export_rows  # noqa: E402


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_book_export_holds_the_filtered_rows_on_screen_in_order(client_for, cam, book, fmt):
    query = {"tier": Tier.GOLD, "sort": "-points"}
    client = client_for(cam)
    on_screen = [p.name for p in client.get(reverse("tiers:book"), query).context["page"]]
    response = client.get(reverse("tiers:book-export", args=[fmt]), query)
    rows = export_rows(response)
    assert column(rows, "Partner") == on_screen == ["Close Co", "Steady Co"]
    assert f"cam-book-2025-11-20.{fmt}" in response["Content-Disposition"]


def test_book_excel_types_points_as_numbers(client_for, cam, book):
    rows = export_rows(client_for(cam).get(reverse("tiers:book-export", args=["xlsx"]), {"q": "Close"}))
    assert column(rows, "Last month's points") == [3700]
    assert column(rows, "Trend") == [700]
    assert column(rows, "Near promotion") == ["yes"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_book_export_never_holds_another_cams_partner(client_for, cam, other_cam, book, fmt):
    rows = export_rows(client_for(cam).get(reverse("tiers:book-export", args=[fmt])))
    assert "Elsewhere Co" not in column(rows, "Partner")
    assert len(rows) == 1 + 4
    other = export_rows(client_for(other_cam).get(reverse("tiers:book-export", args=[fmt])))
    assert column(other, "Partner") == ["Elsewhere Co"]


def test_book_export_is_not_for_partners(client_for, partner_member, book):
    assert client_for(partner_member).get(reverse("tiers:book-export", args=["csv"])).status_code == 404


def test_book_export_speaks_japanese(client_for, cam, book):
    client = client_for(cam)
    client.cookies["django_language"] = "ja"
    response = client.get(reverse("tiers:book-export", args=["xlsx"]), {"q": "Close"})
    sheet = load_workbook(__import__("io").BytesIO(body(response)), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert "パートナー" in header


def test_book_page_links_its_exports_with_the_filters(client_for, cam, book):
    html = client_for(cam).get(reverse("tiers:book"), {"tier": Tier.GOLD, "page": "1"}).content.decode()
    assert f'href="{reverse("tiers:book-export", args=["xlsx"])}?tier=gold&amp;sort=name"' in html


def test_book_export_query_count_does_not_grow_with_the_book(client_for, cam, book, django_assert_max_num_queries):
    for i in range(30):
        PartnerFactory(name=f"Extra {i}", cam=cam, tier=Tier.GOLD)
    client = client_for(cam)
    client.get(reverse("tiers:book"))  # warm the session
    # Session and user, the last closed month, the rules in force, the book itself: none per partner.
    with django_assert_max_num_queries(6):
        rows = export_rows(client.get(reverse("tiers:book-export", args=["xlsx"])))
    assert len(rows) == 1 + 4 + 30
