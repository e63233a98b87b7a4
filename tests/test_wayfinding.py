"""Wayfinding: the navigation marks the current section; the homes say what needs attention now."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from community.models import DeibCohort, PugReviewCycle
from enablement.models import Accreditation, AccreditationEligibility, ApplicationWindow
from portal.models import Tier
from registrations.models import RegistrationStatus
from tests.factories import DealFactory, DomainRegistrationFactory, PartnerFactory, PartnerUserFactory
from tiers.models import MonthlySnapshot
from tiers.tests.dashboard_factories import months_back, rule_set_make, snapshot_make

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _current_links(body: str) -> list[str]:
    nav = body[body.index('<nav class="nav"') : body.index("</nav>")]
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


@pytest.mark.parametrize(
    ("name", "kwargs", "section"),
    [
        ("home", {}, "/"),
        ("tiers:dashboard", {}, "/tiers/"),
        ("registrations:capacity", {}, "/registrations/"),
        ("registrations:deals", {}, "/registrations/deals/"),
        ("community:index", {}, "/community/"),
        ("community:hug-directory", {}, "/community/"),
        ("community:deib", {}, "/community/"),
        ("enablement:index", {}, "/enablement/"),
        ("enablement:awards", {}, "/enablement/"),
        ("team", {}, "/team/"),
        ("api:tokens", {}, "/api/v1/tokens/"),
    ],
)
def test_partner_navigation_marks_the_section_of_every_page(client_for, partner_admin, name, kwargs, section):
    body = client_for(partner_admin).get(reverse(name, kwargs=kwargs)).content.decode()
    assert _current_links(body) == [section]


def test_a_deal_page_marks_deals_for_the_partner_and_approvals_for_the_cam(client_for, partner_admin, cam, partner):
    deal = DealFactory(partner=partner, submitted_by=partner_admin)
    url = reverse("registrations:deal", args=[deal.pk])
    assert _current_links(client_for(partner_admin).get(url).content.decode()) == ["/registrations/deals/"]
    assert _current_links(client_for(cam).get(url).content.decode()) == ["/registrations/queue/"]


def test_cam_reading_a_partner_dashboard_is_in_my_book(client_for, cam, partner):
    body = client_for(cam).get(reverse("tiers:partner-dashboard", args=[partner.partner_id])).content.decode()
    assert _current_links(body) == ["/tiers/book/"]


def test_staff_navigation_marks_reviews_and_awards(client_for, staff):
    client = client_for(staff)
    assert _current_links(client.get(reverse("community:review")).content.decode()) == ["/community/review/"]
    assert _current_links(client.get(reverse("enablement:awards")).content.decode()) == ["/enablement/awards/"]


def test_navigation_folds_into_a_menu_that_works_without_inline_script(client_for, partner_admin):
    body = client_for(partner_admin).get("/").content.decode()
    assert '<details class="site-menu" data-site-menu>' in body
    assert "onchange=" not in body and "onclick=" not in body
    assert "/static/js/portal.js" in body


# --- the partner home ---------------------------------------------------------------------------------


@pytest.fixture
def busy_partner(partner, partner_admin, other_partner):
    """A Platinum partner at risk, with domains expiring, decisions waiting and windows open."""
    partner.tier = Tier.PLATINUM
    partner.save()
    rule_set = rule_set_make()
    for month in months_back(dt.date(2025, 10, 1), 6):
        snapshot_make(
            partner=partner, month=month, rule_set=rule_set, sales=Decimal(900), managed=Decimal(300), tier=Tier.GOLD
        )
    DomainRegistrationFactory(
        partner=partner, status=RegistrationStatus.REGISTERED, expires_on=TODAY + dt.timedelta(days=5)
    )
    DomainRegistrationFactory(
        partner=partner, status=RegistrationStatus.REGISTERED, expires_on=TODAY + dt.timedelta(days=90)
    )
    DomainRegistrationFactory.create_batch(2, partner=partner, status=RegistrationStatus.PENDING)
    DealFactory(partner=partner, submitted_by=partner_admin)
    # Another partner's waiting items never count.
    DomainRegistrationFactory.create_batch(3, partner=other_partner, status=RegistrationStatus.PENDING)
    DomainRegistrationFactory(
        partner=other_partner, status=RegistrationStatus.REGISTERED, expires_on=TODAY + dt.timedelta(days=2)
    )
    PugReviewCycle.objects.create(
        name="2025 H2",
        opens_on=dt.date(2025, 11, 1),
        closes_on=dt.date(2025, 11, 30),
        cohort_starts_on=dt.date(2026, 1, 1),
        cohort_ends_on=dt.date(2026, 6, 30),
    )
    DeibCohort.objects.create(name="H2 2025", opens_on=dt.date(2025, 11, 1), closes_on=dt.date(2025, 12, 15))
    accreditation = Accreditation.objects.create(code="pso", name="PSO")
    AccreditationEligibility.objects.create(
        accreditation=accreditation, tier=Tier.PLATINUM, available_from=dt.date(2022, 12, 1)
    )
    ApplicationWindow.objects.create(name="2025 H2", opens_on=dt.date(2025, 11, 1), closes_on=dt.date(2025, 11, 30))
    return partner


def _attention(response) -> dict[str, object]:
    return {item.key: item for item in response.context["attention"]}


def test_partner_home_says_what_needs_attention_now_each_with_its_page(
    client_for, partner_admin, busy_partner, django_assert_max_num_queries
):
    client = client_for(partner_admin)
    client.get("/")
    # Session and user, the partner, then per provider: registrations 3, community 2, enablement 2,
    # tier outlook 6 (at risk: the preview's two). Counts are aggregates: more rows, same queries.
    with django_assert_max_num_queries(16):
        response = client.get("/")
    items = _attention(response)
    assert list(items)[0] == "tier-outlook"  # the most urgent first
    assert items["tier-outlook"].level == "warn"
    assert items["tier-outlook"].text == (
        "Your tier is at risk: if the 15 Jan 2026 reassessment ran today, you would move from Platinum to Gold."
    )
    assert items["tier-outlook"].url == reverse("tiers:dashboard")
    assert items["expiring"].text == "1 registered domain expires within 14 days: extend it or let it go."
    assert items["expiring"].url == "/registrations/?status=registered"
    assert items["pending-domains"].text == "2 domain registrations wait for your CAM's decision."
    assert items["pending-deals"].text == "1 deal registration waits for your CAM's decision."
    assert items["pending-deals"].url == reverse("registrations:deals")
    assert items["pug-window"].text == "Partner User Group applications (2025 H2) are open until 30 Nov 2025."
    assert items["deib-window"].url == reverse("community:deib")
    assert items["accreditation-window"].url == reverse("enablement:index")
    body = response.content.decode()
    for item in items.values():
        assert f'href="{item.url}"' in body


def test_partner_home_outlook_says_on_track_or_near_promotion(client_for, partner_admin, partner):
    partner.tier = Tier.GOLD
    partner.save()
    rule_set = rule_set_make()  # Platinum at 4,000 points
    for month in months_back(dt.date(2025, 10, 1), 6):
        snapshot_make(
            partner=partner, month=month, rule_set=rule_set, sales=Decimal(900), managed=Decimal(300), tier=Tier.GOLD
        )
    items = _attention(client_for(partner_admin).get("/"))
    assert items["tier-outlook"].level == "ok"
    assert items["tier-outlook"].text == "On track: you keep Gold at the 15 Jan 2026 reassessment so far."
    # October at 3,800 points: within 10% of Platinum's 4,000.
    MonthlySnapshot.objects.filter(partner=partner, month=dt.date(2025, 10, 1)).update(points=Decimal(3800))
    items = _attention(client_for(partner_admin).get("/"))
    assert items["tier-outlook"].text == "Near promotion: your last month was within 10% of the Platinum target."


def test_partner_with_nothing_waiting_is_told_so(client_for, db):
    provider = PartnerFactory(kind="provider")
    user = PartnerUserFactory(partner=provider)
    response = client_for(user).get("/")
    assert response.context["attention"] == []
    assert "Nothing needs your attention right now." in response.content.decode()


# --- the CAM home -------------------------------------------------------------------------------------


def test_cam_home_says_how_many_decisions_wait_and_the_oldest_age(
    client_for, cam, partner, other_partner, django_assert_max_num_queries
):
    DomainRegistrationFactory(partner=partner, submitted_at=NOW - dt.timedelta(days=3))
    DomainRegistrationFactory(partner=partner, submitted_at=NOW - dt.timedelta(hours=2))
    DealFactory(partner=partner, submitted_at=NOW - dt.timedelta(days=1))
    DomainRegistrationFactory(partner=other_partner, submitted_at=NOW - dt.timedelta(days=30))  # not this CAM's
    client = client_for(cam)
    client.get("/")
    with django_assert_max_num_queries(6):
        response = client.get("/")
    [item] = response.context["attention"]
    assert item.text == "3 registrations wait for your decision; the oldest has waited 3\xa0days."
    assert item.url == reverse("registrations:queue")
    assert 'href="/registrations/queue/"' in response.content.decode()


def test_cam_with_an_empty_queue_is_told_so(client_for, cam, partner):
    [item] = client_for(cam).get("/").context["attention"]
    assert (item.level, item.text) == ("ok", "No registration waits for your decision.")


def test_cam_home_in_japanese(client_for, cam, partner):
    DomainRegistrationFactory(partner=partner, submitted_at=timezone.now() - dt.timedelta(days=2))
    body = client_for(cam).get("/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "対応が必要なこと" in body
    assert "1件の登録があなたの判断を待っています" in body
