"""Global Partner of the Year: exact figures, eligibility by every threshold, ranking, the thresholds page,
and the review-rating metric the tier engine reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from directory import awards
from directory.metrics import review_rating
from directory.models import AuditEntry, AwardSettings, Review, ReviewInvitation, ReviewStatus
from portal.models import PartnerKind
from tests.factories import PartnerFactory, StaffFactory
from tiers.metric_sources import metric_source_for, registered_metrics
from tiers.models import Metric

pytestmark = pytest.mark.django_db
_seq = count()


def _review(partner, rating: int, when: dt.datetime, status: str = ReviewStatus.PUBLISHED) -> Review:
    n = next(_seq)
    invitation = ReviewInvitation.objects.create(
        partner=partner,
        email=f"c{n}@client.com",
        contact_name="C",
        customer_domain="client.com",
        token_hash=f"{n:064d}",
        created_at=when,
        expires_at=when + dt.timedelta(days=30),
        used_at=when,
    )
    return Review.objects.create(
        partner=partner,
        invitation=invitation,
        reviewer_name="C",
        reviewer_email=invitation.email,
        customer_domain="client.com",
        rating=rating,
        title="t",
        body="b",
        submitted_at=when,
        status=status,
    )


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


@pytest.fixture
def world(snapshot, mrr):
    alpha = PartnerFactory(partner_id="P1", name="Alpha")
    beta = PartnerFactory(partner_id="P2", name="Beta")
    gamma = PartnerFactory(partner_id="P3", name="Gamma")
    delta = PartnerFactory(partner_id="P4", name="Delta")
    provider = PartnerFactory(partner_id="P5", name="Provider", kind=PartnerKind.PROVIDER)
    # Alpha: 12,000 → 13,500 (112.50%); customers of January 9,100 → 8,100 (89.01%); rating 13/3 = 4.33 (3).
    snapshot(alpha, "2025-01", sold="10000", managed="2000")
    snapshot(alpha, "2025-12", sold="11000", managed="2500")
    mrr(alpha, "2025-01", "a.com", sold="8000")
    mrr(alpha, "2025-01", "b.de", sold="1000", currency="EUR")  # 1,100 USD at 1.1
    mrr(alpha, "2025-12", "a.com", sold="6000", managed="1000")
    mrr(alpha, "2025-12", "b.de", sold="1000", currency="EUR")
    mrr(alpha, "2025-12", "c.com", sold="5000")  # new in the year: not in customer retention
    for rating, day in ((5, "2025-01-01T00:00"), (4, "2025-06-01T12:00"), (4, "2025-12-31T23:59")):
        _review(alpha, rating, _at(day))
    _review(alpha, 1, _at("2024-12-31T23:59"))  # before the year
    _review(alpha, 1, _at("2025-05-01T00:00"), status=ReviewStatus.PENDING)
    _review(alpha, 1, _at("2025-05-02T00:00"), status=ReviewStatus.REJECTED)
    # Beta: the most MRR, but two reviews.
    snapshot(beta, "2025-01", sold="20000")
    snapshot(beta, "2025-12", sold="30000")
    mrr(beta, "2025-01", "x.com", sold="20000")
    mrr(beta, "2025-12", "x.com", sold="20000")
    for day in ("2025-03-01T00:00", "2025-04-01T00:00"):
        _review(beta, 5, _at(day))
    # Gamma: 11,000 → 12,000 (109.09%), same customer (109.09%), rating 17/4 = 4.25.
    snapshot(gamma, "2025-01", sold="11000")
    snapshot(gamma, "2025-12", sold="12000")
    mrr(gamma, "2025-01", "g.com", sold="11000")
    mrr(gamma, "2025-12", "g.com", sold="12000")
    for rating in (4, 4, 4, 5):
        _review(gamma, rating, _at("2025-09-09T09:00"))
    # Delta: joined in the year (no January), big December.
    snapshot(delta, "2025-12", sold="50000")
    snapshot(provider, "2025-12", sold="99000")
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}


def test_every_figure_is_exact(world, django_assert_max_num_queries):
    thresholds = AwardSettings.get()
    with django_assert_max_num_queries(
        11
    ):  # latest month, 2 snapshots, 2 rule sets, 2 coefficient reads, 2 customer sums, reviews, partners
        ranked = awards.ranking(year=2025, thresholds=thresholds)
    rows = {s.partner.name: s for s in ranked}
    assert set(rows) == {"Alpha", "Beta", "Gamma", "Delta"}  # the provider is not a solutions partner
    alpha = rows["Alpha"]
    assert (alpha.mrr_start, alpha.mrr_end, alpha.revenue_retention) == (
        Decimal("12000"),
        Decimal("13500"),
        Decimal("112.50"),
    )
    assert (alpha.customer_mrr_start, alpha.customer_mrr_end, alpha.customer_revenue_retention) == (
        Decimal("9100.00"),
        Decimal("8100.00"),
        Decimal("89.01"),
    )
    assert (alpha.rating, alpha.review_count) == (Decimal("4.33"), 3)
    gamma = rows["Gamma"]
    assert (gamma.revenue_retention, gamma.customer_revenue_retention, gamma.rating, gamma.review_count) == (
        Decimal("109.09"),
        Decimal("109.09"),
        Decimal("4.25"),
        4,
    )
    delta = rows["Delta"]
    assert (delta.mrr_start, delta.revenue_retention, delta.customer_revenue_retention, delta.rating) == (
        None,
        None,
        None,
        None,
    )


def test_eligible_partners_rank_by_mrr_and_the_rest_say_what_they_miss(world):
    ranked = awards.ranking(year=2025, thresholds=AwardSettings.get())
    assert [(s.partner.name, s.rank, s.misses) for s in ranked] == [
        ("Alpha", 1, []),
        ("Gamma", 2, []),
        ("Delta", None, ["revenue_retention", "customer_revenue_retention", "review_rating", "review_count"]),
        ("Beta", None, ["review_count"]),
    ]


def test_thresholds_decide_who_is_eligible(world):
    thresholds = AwardSettings.get()
    thresholds.min_review_count = 2
    thresholds.min_customer_revenue_retention = Decimal("89.02")  # Alpha has 89.01
    ranked = awards.ranking(year=2025, thresholds=thresholds)
    assert [(s.partner.name, s.rank) for s in ranked if s.eligible] == [("Beta", 1), ("Gamma", 2)]
    assert next(s for s in ranked if s.partner.name == "Alpha").misses == ["customer_revenue_retention"]


def test_staff_page_shows_the_ranking_with_every_figure(client_for, staff, world, django_assert_max_num_queries):
    c = client_for(staff)
    with django_assert_max_num_queries(19):
        page = c.get(reverse("directory:partner-of-the-year"), {"year": "2025"})
    html = page.content.decode()
    row = html.split('id="gpoy-P1"')[1].split("</tr>")[0]
    for figure in ("$13,500.00", "112.50%", "89.01%", "$9,100.00", "$8,100.00", "4.33", ">3<"):
        assert figure in row, figure
    assert "Below: published reviews" in html.split('id="gpoy-P2"')[1].split("</tr>")[0]


def test_staff_edit_the_thresholds_on_the_page_audited(client_for, staff, world):
    c = client_for(staff)
    form = {
        "year": "2025",
        "min_revenue_retention": "90",
        "min_customer_revenue_retention": "85",
        "min_review_rating": "4",
        "min_review_count": "2",
        "min_mrr_usd": "10000",
    }
    assert c.post(reverse("directory:award-settings"), form).status_code == 302
    assert AwardSettings.get().min_review_count == 2
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.AWARD_SETTINGS)
    assert entry.actor == staff and entry.reason == "min_review_count: 3 → 2"
    bad = c.post(reverse("directory:award-settings"), {**form, "min_review_rating": "abc"})
    assert bad.status_code == 400 and AuditEntry.objects.filter(subject=AuditEntry.Subject.AWARD_SETTINGS).count() == 1
    negative = c.post(reverse("directory:award-settings"), {**form, "min_mrr_usd": "-1"})
    assert negative.status_code == 400 and negative.context["form"].errors["min_mrr_usd"] == ["Enter zero or more."]
    assert AwardSettings.get().min_mrr_usd == Decimal("10000")


def test_who_may_see_and_edit_the_award_page(client_for, partner_admin, cam, world):
    auditor = StaffFactory(groups=["Auditors"])
    assert client_for(partner_admin).get(reverse("directory:partner-of-the-year")).status_code == 404
    assert client_for(cam).get(reverse("directory:partner-of-the-year")).status_code == 404
    assert client_for(StaffFactory(groups=[])).get(reverse("directory:partner-of-the-year")).status_code == 403
    c = client_for(auditor)
    page = c.get(reverse("directory:partner-of-the-year"))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert c.post(reverse("directory:award-settings"), {"min_review_count": "0"}).status_code == 403


def test_admin_edits_go_through_the_audited_service(client_for, world):
    admin = StaffFactory(groups=["Reviewers"])
    AwardSettings.get()
    c = client_for(admin)
    response = c.post(
        reverse("admin:directory_awardsettings_change", args=[1]),
        {
            "min_revenue_retention": "95",
            "min_customer_revenue_retention": "85",
            "min_review_rating": "4",
            "min_review_count": "3",
            "min_mrr_usd": "10000",
        },
    )
    assert response.status_code == 302
    assert AwardSettings.get().min_revenue_retention == Decimal("95")
    assert AuditEntry.objects.get(subject=AuditEntry.Subject.AWARD_SETTINGS).actor == admin


# --- the metric source ---------------------------------------------------------------------------------


def test_review_rating_metric_averages_published_reviews_of_the_twelve_months_to_the_months_end():
    one, two, three = PartnerFactory(), PartnerFactory(), PartnerFactory()
    _review(one, 5, _at("2024-07-01T00:00"))  # first instant of the window (Jul 2024 – Jun 2025)
    _review(one, 4, _at("2025-06-30T23:59"))
    _review(one, 4, _at("2025-01-15T00:00"))
    _review(one, 1, _at("2024-06-30T23:59"))  # before the window
    _review(one, 1, _at("2025-07-01T00:00"))  # after it
    _review(one, 1, _at("2025-02-01T00:00"), status=ReviewStatus.PENDING)
    _review(two, 3, _at("2025-03-03T00:00"))
    _review(three, 2, _at("2025-03-03T00:00"), status=ReviewStatus.REJECTED)
    assert Metric.REVIEW_RATING in registered_metrics()
    assert metric_source_for(Metric.REVIEW_RATING) is review_rating
    sql, params = review_rating(dt.date(2025, 6, 1))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = dict(cursor.fetchall())
        cursor.execute(f"SELECT pg_typeof(value)::text FROM ({sql}) AS r LIMIT 1", params)
        (kind,) = cursor.fetchone()
    assert values == {one.pk: Decimal("4.33"), two.pk: Decimal("3.00")}
    assert kind == "numeric"


def test_year_param_defaults_to_last_year_and_stays_in_range():
    today = timezone.localdate()
    assert awards.year_param(None, today=today) == today.year - 1
    assert awards.year_param("1999", today=today) == 2000
    assert awards.year_param("9999", today=today) == today.year
    assert awards.year_param("abc", today=today) == today.year - 1


def test_a_running_year_closes_on_the_last_evaluated_month(snapshot):
    alpha = PartnerFactory(name="Alpha")
    snapshot(alpha, "2026-01", sold="1000")
    snapshot(alpha, "2026-06", sold="1100")
    _review(alpha, 5, _at("2025-07-01T00:00"))  # the 12 months to June 2026 start in July 2025
    _review(alpha, 1, _at("2025-06-30T23:00"))
    window = awards.year_window(2026)
    assert (window["start"], window["end"]) == (dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    (standing,) = awards.ranking(year=2026, thresholds=AwardSettings.get())
    assert (standing.mrr_end, standing.revenue_retention, standing.rating, standing.review_count) == (
        Decimal("1100"),
        Decimal("110.00"),
        Decimal("5.00"),
        1,
    )
