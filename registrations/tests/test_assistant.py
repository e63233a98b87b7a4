"""The cap reduction assistant: ranking reasons, the proposal, the confirmed release, access and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.models import Role, Tier
from registrations import services
from registrations.assistant import ranking_for
from registrations.models import (
    CommissionHold,
    DealEvent,
    DealNote,
    DomainRegistration,
    RegistrationConfig,
    RegistrationEvent,
    RegistrationStatus,
)
from tests.factories import DealFactory, DomainRegistrationFactory, StaffFactory, UserFactory
from tiers.models import CustomerMRR

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def _reg(partner, domain: str, *, days: int = 10, country: str = "JP", industry: str = "software", **extra):
    extra.setdefault("status", RegistrationStatus.REGISTERED)
    if extra["status"] == RegistrationStatus.REGISTERED:
        extra.setdefault("expires_on", TODAY + dt.timedelta(days=120))
    return DomainRegistrationFactory(
        partner=partner, domain=domain, country=country, industry=industry, submitted_at=_days_ago(days), **extra
    )


def _with_deal(registration, *, note_days: int | None = 2):
    deal = DealFactory(partner=registration.partner, domain=registration.domain, status="approved")
    if note_days is not None:
        DealNote.objects.create(deal=deal, author=_author(registration), body="n", created_at=_days_ago(note_days))
    return deal


def _author(registration):
    return UserFactory(partner=registration.partner, role=Role.PARTNER_MEMBER)


@pytest.fixture
def targeted(partner):
    """The `partner` fixture (JP, solutions partner: cap 10) operating in Japan, targeting software."""
    partner.operating_countries = ["JP"]
    partner.industries = ["software"]
    partner.save()
    return partner


def _reasons(ranking) -> dict[str, set[str]]:
    return {c.registration.domain: {r.code for r in c.reasons} for c in ranking.candidates}


def _texts(ranking, domain: str) -> str:
    return " ".join(r.text for c in ranking.candidates if c.registration.domain == domain for r in c.reasons)


# --- ranking ------------------------------------------------------------------------------------------


def test_each_reason_is_shown_with_its_evidence(targeted):
    _with_deal(_reg(targeted, "keeper.jp", days=1))
    _with_deal(_reg(targeted, "keeper2.jp", days=1))
    _with_deal(_reg(targeted, "abroad.com.br", country="BR", days=2))
    _with_deal(_reg(targeted, "shop.jp", industry="retail", days=3))
    _reg(targeted, "nodeal.jp", days=4)
    _with_deal(_reg(targeted, "stale.jp", days=200), note_days=None)
    _with_deal(_reg(targeted, "soon.jp", expires_on=TODAY + dt.timedelta(days=5), days=5))
    _with_deal(_reg(targeted, "old.jp", days=100))
    ranking = ranking_for(partner=targeted, today=TODAY)
    reasons = _reasons(ranking)
    assert reasons["keeper.jp"] == set()
    assert reasons["abroad.com.br"] == {"country"}
    assert "Customer country Brazil is outside your operating countries." in _texts(ranking, "abroad.com.br")
    assert reasons["shop.jp"] == {"industry"}
    assert "Industry Retail and e-commerce is outside your target industries." in _texts(ranking, "shop.jp")
    assert reasons["nodeal.jp"] == {"no_deal"}
    assert "No deal registered for this domain." in _texts(ranking, "nodeal.jp")
    assert reasons["stale.jp"] == {"inactive", "oldest"}  # the oldest quarter of eight: two
    assert "No activity for 200 days (last on 27 Nov 2025)." in _texts(ranking, "stale.jp")
    assert reasons["old.jp"] == {"oldest"}
    assert "Registered on 7 Mar 2026: among your oldest." in _texts(ranking, "old.jp")
    assert reasons["soon.jp"] == {"expiring"}
    assert "Expires on 20 Jun 2026 (in 5 days)." in _texts(ranking, "soon.jp")


def test_a_rejected_deal_is_no_deal(targeted):
    registration = _reg(targeted, "lost.jp")
    DealFactory(partner=targeted, domain=registration.domain, status="rejected")
    assert _reasons(ranking_for(partner=targeted, today=TODAY))["lost.jp"] == {"no_deal"}


def test_another_partners_deal_for_the_domain_does_not_count(targeted, other_partner):
    registration = _reg(targeted, "shared.jp")
    DealFactory(partner=other_partner, domain=registration.domain, status="approved")
    assert "no_deal" in _reasons(ranking_for(partner=targeted, today=TODAY))["shared.jp"]


@pytest.mark.parametrize("source", ["event", "note", "deal_event", "mrr"])
def test_any_recent_activity_keeps_a_registration_active(targeted, source):
    registration = _reg(targeted, "busy.jp", days=300)
    deal = _with_deal(registration, note_days=None)
    if source == "event":
        RegistrationEvent.objects.create(registration=registration, at=_days_ago(3), to_status="registered")
    elif source == "note":
        DealNote.objects.create(deal=deal, author=_author(registration), body="call", created_at=_days_ago(3))
    elif source == "deal_event":
        DealEvent.objects.create(deal=deal, at=_days_ago(3), to_status="approved")
    else:
        CustomerMRR.objects.create(
            partner=targeted,
            month=dt.date(2026, 5, 1),
            customer_domain="busy.jp",
            customer_country="JP",
            currency="JPY",
            sold_mrr=Decimal("1000"),
            managed_mrr=Decimal("0"),
        )
    candidate = ranking_for(partner=targeted, today=TODAY).candidates[0]
    assert not candidate.inactive
    assert candidate.idle_days <= 15


def test_mrr_before_the_inactivity_window_is_not_activity(targeted):
    _with_deal(_reg(targeted, "lapsed.jp", days=400), note_days=None)
    CustomerMRR.objects.create(
        partner=targeted,
        month=dt.date(2025, 12, 1),
        customer_domain="lapsed.jp",
        customer_country="JP",
        currency="JPY",
        sold_mrr=Decimal("1000"),
        managed_mrr=Decimal("0"),
    )
    assert "inactive" in _reasons(ranking_for(partner=targeted, today=TODAY))["lapsed.jp"]


def test_inactivity_threshold_is_the_configured_one(targeted):
    _with_deal(_reg(targeted, "quiet.jp", days=40), note_days=None)
    assert "inactive" not in _reasons(ranking_for(partner=targeted, today=TODAY))["quiet.jp"]
    config = RegistrationConfig.get()
    config.inactivity_days = 30
    config.save()
    assert "inactive" in _reasons(ranking_for(partner=targeted, today=TODAY))["quiet.jp"]


def test_country_and_industry_reasons_need_the_partners_lists(partner):
    _reg(partner, "abroad.com.br", country="BR", industry="retail")
    ranking = ranking_for(partner=partner, today=TODAY)
    assert not ranking.countries_set and not ranking.industries_set
    assert _reasons(ranking)["abroad.com.br"].isdisjoint({"country", "industry"})


def test_unknown_customer_country_or_industry_gives_no_reason(targeted):
    _with_deal(_reg(targeted, "unknown.jp", country="", industry=""))
    assert _reasons(ranking_for(partner=targeted, today=TODAY))["unknown.jp"] == set()


def test_ranking_orders_by_score_then_oldest_and_leaves_out_what_is_not_live(targeted):
    _with_deal(_reg(targeted, "keep.jp", days=1))
    _reg(targeted, "nodeal-new.jp", days=2)
    _reg(targeted, "nodeal-old.jp", days=20)
    _reg(targeted, "abroad.de", country="DE", days=3)
    _reg(targeted, "gone.jp", status=RegistrationStatus.RELEASED)
    ranking = ranking_for(partner=targeted, today=TODAY)
    assert [c.registration.domain for c in ranking.candidates] == [
        "abroad.de",  # country + no deal
        "nodeal-old.jp",  # no deal + oldest
        "nodeal-new.jp",  # no deal
        "keep.jp",
    ]
    assert [c.score for c in ranking.candidates] == [60, 25, 20, 0]


def test_ranking_takes_a_fixed_number_of_queries(targeted, django_assert_num_queries):
    config = RegistrationConfig.get()
    for n in range(3):
        _with_deal(_reg(targeted, f"small{n}.jp"))
    with django_assert_num_queries(1):
        small = ranking_for(partner=targeted, today=TODAY, config=config)
    for n in range(30):
        _with_deal(_reg(targeted, f"big{n}.jp", country="US" if n % 2 else "JP"))
    with django_assert_num_queries(1):
        big = ranking_for(partner=targeted, today=TODAY, config=config)
    assert (small.live, big.live) == (3, 33)


# --- proposal ------------------------------------------------------------------------------------------


def test_the_proposal_is_the_smallest_set_of_the_highest_ranked(targeted):
    for n in range(10):
        _with_deal(_reg(targeted, f"keep{n}.jp"))
    abroad = [_reg(targeted, f"abroad{n}.de", country="DE") for n in range(3)]
    ranking = ranking_for(partner=targeted, today=TODAY)
    assert (ranking.live, ranking.cap, ranking.default_target) == (13, 10, 10)
    assert set(ranking.proposal(10)) == {r.pk for r in abroad}
    assert len(ranking.proposal(6)) == 7
    assert ranking.proposal(13) == []


def test_default_target_is_the_cap_over_it_one_below_at_it_and_none_under_it(targeted, fill):
    fill(targeted, 9)
    assert ranking_for(partner=targeted, today=TODAY).default_target is None
    fill(targeted, 1)
    assert ranking_for(partner=targeted, today=TODAY).default_target == 9
    fill(targeted, 2)
    assert ranking_for(partner=targeted, today=TODAY).default_target == 10


# --- the confirmed release ---------------------------------------------------------------------------------


@pytest.fixture
def over_cap(targeted, fill):
    """13 live against a cap of 10 after the compliance deadline, with an open commission hold."""
    fill(targeted, 10)
    extra = [_reg(targeted, f"abroad{n}.de", country="DE") for n in range(3)]
    CommissionHold.objects.create(partner=targeted, started_on=dt.date(2026, 4, 1), live_at_start=13, cap_at_start=10)
    return targeted, extra


def test_release_brings_the_partner_within_its_cap_ends_the_hold_and_writes_one_event_each(over_cap, partner_admin):
    partner, extra = over_cap
    result = services.registrations_cap_reduce(partner=partner, ids=[r.pk for r in extra], acting_user=partner_admin)
    assert (len(result.released), result.live, result.cap, result.hold_closed) == (3, 10, 10, True)
    assert DomainRegistration.objects.filter(pk__in=[r.pk for r in extra], status="released").count() == 3
    hold = CommissionHold.objects.get(partner=partner)
    assert hold.ended_on == TODAY
    events = RegistrationEvent.objects.filter(registration__in=extra)
    assert events.count() == 3
    assert {(e.actor, e.from_status, e.to_status, e.reason) for e in events} == {
        (partner_admin, "registered", "released", services.CAP_ASSISTANT_REASON)
    }
    assert events[0].reason_label() == "Released with the cap reduction assistant"


def test_release_still_over_the_cap_keeps_the_hold(over_cap, partner_member):
    partner, extra = over_cap
    result = services.registrations_cap_reduce(partner=partner, ids=[extra[0].pk], acting_user=partner_member)
    assert (result.live, result.hold_closed) == (12, False)
    assert CommissionHold.objects.get(partner=partner).ended_on is None


def test_a_stale_selection_is_refused_naming_the_domains_and_nothing_is_released(over_cap, partner_admin):
    partner, extra = over_cap
    services.registration_release(registration=extra[1], acting_user=partner_admin)
    with pytest.raises(services.StaleSelection) as info:
        services.registrations_cap_reduce(partner=partner, ids=[r.pk for r in extra], acting_user=partner_admin)
    assert "abroad1.de" in info.value.message and "abroad0.de" not in info.value.message
    assert DomainRegistration.objects.get(pk=extra[0].pk).status == "registered"
    assert CommissionHold.objects.get(partner=partner).ended_on is None


def test_a_second_submit_of_the_same_release_changes_nothing(over_cap, partner_admin):
    partner, extra = over_cap
    ids = [r.pk for r in extra]
    services.registrations_cap_reduce(partner=partner, ids=ids, acting_user=partner_admin)
    with pytest.raises(services.StaleSelection):
        services.registrations_cap_reduce(partner=partner, ids=ids, acting_user=partner_admin)
    assert RegistrationEvent.objects.filter(registration__in=extra).count() == 3


def test_another_partners_registration_cannot_be_released_through_the_assistant(over_cap, partner_admin, other_partner):
    partner, _extra = over_cap
    foreign = _reg(other_partner, "theirs.com")
    with pytest.raises(services.StaleSelection):
        services.registrations_cap_reduce(partner=partner, ids=[foreign.pk], acting_user=partner_admin)
    assert DomainRegistration.objects.get(pk=foreign.pk).status == "registered"


def test_nothing_selected_is_refused(over_cap, partner_admin):
    with pytest.raises(services.RegistrationError):
        services.registrations_cap_reduce(partner=over_cap[0], ids=[], acting_user=partner_admin)


def test_the_cam_releases_for_the_book_and_is_recorded_as_the_cam(over_cap, cam):
    partner, extra = over_cap
    services.registrations_cap_reduce(partner=partner, ids=[extra[0].pk], acting_user=cam)
    assert RegistrationEvent.objects.get(registration=extra[0]).actor == cam


def test_who_else_may_not_release(over_cap, other_cam, cc, other_partner_user):
    partner, extra = over_cap
    staff_without = StaffFactory(email="auditor@example.test", groups=["Auditors"])
    for person in (other_cam, cc, other_partner_user, staff_without):
        with pytest.raises(PermissionDenied):
            services.registrations_cap_reduce(partner=partner, ids=[extra[0].pk], acting_user=person)
    assert DomainRegistration.objects.get(pk=extra[0].pk).status == "registered"


def test_staff_with_the_permission_may_release(over_cap):
    partner, extra = over_cap
    person = StaffFactory(email="ops@example.test", groups=["Partner operations"])
    person.user_permissions.add(Permission.objects.get(codename="change_domainregistration"))
    person = type(person).objects.get(pk=person.pk)  # a fresh permission cache
    services.registrations_cap_reduce(partner=partner, ids=[extra[0].pk], acting_user=person)
    assert RegistrationEvent.objects.get(registration=extra[0]).actor == person


# --- pages ------------------------------------------------------------------------------------------------


def _url(partner, name: str = "registrations:assistant") -> str:
    return reverse(name, args=[partner.partner_id])


def test_partner_people_cam_and_staff_open_the_assistant(over_cap, client_for, partner_admin, partner_member, cam):
    partner, _extra = over_cap
    for person in (partner_admin, partner_member, cam, StaffFactory(email="s@example.test")):
        body = client_for(person).get(_url(partner)).content.decode()
        assert "abroad0.de" in body, person.role
        assert 'data-testid="assistant-used-cap">13 / 10<' in body


def test_another_partner_or_another_cam_gets_404(over_cap, client_for, other_partner_user, other_cam, client):
    partner, _extra = over_cap
    for person in (other_partner_user, other_cam):
        c = client_for(person)
        assert c.get(_url(partner)).status_code == 404
        assert c.post(_url(partner, "registrations:assistant-review"), {"ids": []}).status_code == 404
        assert c.post(_url(partner, "registrations:assistant-release"), {"ids": []}).status_code == 404
        assert c.post(_url(partner, "registrations:assistant-count"), {"ids": []}).status_code == 404
        client.logout()
    assert client.get(_url(partner)).status_code == 302


def test_the_partners_admin_is_sent_to_its_directory_profile_to_set_countries_and_industries(
    over_cap, client_for, partner_admin, partner_member
):
    partner, _extra = over_cap
    edit = reverse("directory:profile-edit")
    assert f'href="{edit}"' in client_for(partner_admin).get(_url(partner)).content.decode()
    member_page = client_for(partner_member).get(_url(partner)).content.decode()
    assert f'href="{edit}"' not in member_page  # members read the profile; its admin edits it


def test_the_page_preselects_the_proposal_and_shows_the_reasons(over_cap, client_for, partner_admin):
    partner, extra = over_cap
    body = client_for(partner_admin).get(_url(partner)).content.decode()
    for registration in extra:
        assert f'value="{registration.pk}" id="pick-{registration.pk}" checked' in body
    assert body.count(" checked") == 3
    assert "Customer country Germany is outside your operating countries." in body
    assert "3 selected." in body and "Afterwards: 10 of 10" in body


def test_a_chosen_target_proposes_more(over_cap, client_for, partner_admin):
    partner, _extra = over_cap
    body = client_for(partner_admin).get(_url(partner) + "?target=5").content.decode()
    assert body.count(" checked") == 8
    assert "Afterwards: 5 of 10" in body


@pytest.mark.parametrize("target", ["13", "20", "-1", "many"])
def test_a_target_at_or_above_the_live_count_or_not_a_number_is_refused(over_cap, client_for, partner_admin, target):
    partner, _extra = over_cap
    response = client_for(partner_admin).get(_url(partner) + f"?target={target}")
    assert response.status_code == 400
    assert 'data-testid="assistant-target-error"' in response.content.decode()


def test_the_counter_is_recomputed_on_the_server(over_cap, client_for, partner_admin):
    partner, extra = over_cap
    response = client_for(partner_admin).post(
        _url(partner, "registrations:assistant-count"), {"ids": [extra[0].pk]}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and "1 selected." in body and "Afterwards: 12 of 10" in body
    assert "still 2 over your cap." in body


def test_review_names_the_domains_and_the_count_afterwards(over_cap, client_for, cam):
    partner, extra = over_cap
    response = client_for(cam).post(_url(partner, "registrations:assistant-review"), {"ids": [r.pk for r in extra]})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="assistant-confirm"' in body
    assert all(r.domain in body for r in extra) and "Release 3 domains" in body
    assert "Afterwards: 10 of 10" in body and "the hold ends today" in body
    assert DomainRegistration.objects.filter(status="released").count() == 0  # nothing happens before the confirmation


def test_review_with_nothing_selected_comes_back_with_the_message(over_cap, client_for, partner_admin):
    response = client_for(partner_admin).post(_url(over_cap[0], "registrations:assistant-review"), {})
    assert response.status_code == 400
    assert "Select the domains to release." in response.content.decode()


def test_review_of_a_stale_selection_names_the_domain(over_cap, client_for, partner_admin):
    partner, extra = over_cap
    services.registration_release(registration=extra[2], acting_user=partner_admin)
    response = client_for(partner_admin).post(
        _url(partner, "registrations:assistant-review"), {"ids": [extra[0].pk, extra[2].pk]}
    )
    assert response.status_code == 400
    assert "No longer live, so nothing was released: abroad2.de." in response.content.decode()


def test_another_partners_registration_in_the_selection_is_404(over_cap, client_for, partner_admin, other_partner):
    foreign = _reg(other_partner, "theirs.com")
    client = client_for(partner_admin)
    for name in ("registrations:assistant-review", "registrations:assistant-release", "registrations:assistant-count"):
        assert client.post(_url(over_cap[0], name), {"ids": [foreign.pk]}).status_code == 404


def test_the_confirmed_release_returns_with_the_meter_updated(over_cap, client_for, partner_admin):
    partner, extra = over_cap
    client = client_for(partner_admin)
    response = client.post(_url(partner, "registrations:assistant-release"), {"ids": [r.pk for r in extra]})
    assert response.status_code == 302 and response.url == _url(partner)
    body = client.get(response.url).content.decode()
    assert "3 domains released. Live registrations: 10 of 10. The commission hold has ended." in body
    assert 'data-testid="assistant-used-cap">10 / 10<' in body


def test_a_refused_release_comes_back_with_400_and_the_names(over_cap, client_for, partner_admin):
    partner, extra = over_cap
    client = client_for(partner_admin)
    client.post(_url(partner, "registrations:assistant-release"), {"ids": [extra[0].pk]})
    response = client.post(_url(partner, "registrations:assistant-release"), {"ids": [extra[0].pk]})
    assert response.status_code == 400
    assert "No longer live, so nothing was released: abroad0.de." in response.content.decode()


def test_the_cc_reads_the_assistant_but_may_not_release(over_cap, client_for, cc):
    partner, extra = over_cap
    client = client_for(cc)
    body = client.get(_url(partner)).content.decode()
    assert "abroad0.de" in body and "Review the release" not in body
    assert client.post(_url(partner, "registrations:assistant-review"), {"ids": [extra[0].pk]}).status_code == 403
    assert client.post(_url(partner, "registrations:assistant-release"), {"ids": [extra[0].pk]}).status_code == 403


def test_the_page_says_when_countries_and_industries_are_not_set(partner, client_for, partner_admin, fill):
    fill(partner, 11)
    body = client_for(partner_admin).get(_url(partner)).content.decode()
    assert 'data-testid="assistant-countries"><span class="badge badge-muted">not set' in body
    assert "With no operating countries set, no registration is ranked for its customer's country." in body
    assert "With no target industries set, no registration is ranked for its customer's industry." in body


def test_the_page_query_count_is_pinned(over_cap, client_for, partner_admin, django_assert_max_num_queries):
    partner, _extra = over_cap
    for n in range(30):
        _with_deal(_reg(partner, f"more{n}.jp"))
    client = client_for(partner_admin)
    # session, person, partner, configuration, the ranking (one query), the open hold
    with django_assert_max_num_queries(6):
        body = client.get(_url(partner)).content.decode()
    assert body.count('data-testid="candidate"') == 43


# --- ways in -------------------------------------------------------------------------------------------------


def test_partner_home_says_how_many_over_the_cap_and_links_the_assistant(over_cap, client_for, partner_member):
    partner, extra = over_cap
    client = client_for(partner_member)
    body = client.get(reverse("home")).content.decode()
    assert "3 registrations over your cap of 10: use the cap reduction assistant." in body
    assert _url(partner) in body
    services.registrations_cap_reduce(partner=partner, ids=[r.pk for r in extra], acting_user=partner_member)
    assert "over your cap" not in client.get(reverse("home")).content.decode()


def test_capacity_page_and_panel_link_the_assistant_at_the_cap(targeted, fill, client_for, partner_member, cam):
    fill(targeted, 9)
    client = client_for(partner_member)
    assert _url(targeted) not in client.get(reverse("registrations:capacity")).content.decode()
    fill(targeted, 1)
    assert 'data-testid="assistant-link"' in client.get(reverse("registrations:capacity")).content.decode()
    dashboard = client_for(cam).get(reverse("tiers:partner-dashboard", args=[targeted.partner_id])).content.decode()
    assert 'data-testid="panel-assistant"' in dashboard and _url(targeted) in dashboard


# --- the customer's industry on registrations ------------------------------------------------------------------


def test_the_registration_form_records_the_customers_industry(client_for, partner_member):
    client = client_for(partner_member)
    client.post(reverse("registrations:capacity"), {"domain": "shop.jp", "country": "JP", "industry": "retail"})
    assert DomainRegistration.objects.get(domain="shop.jp").industry == "retail"


def test_an_unknown_industry_is_refused(partner, partner_member):
    with pytest.raises(services.RegistrationError):
        services.registration_submit(partner=partner, domain="x.jp", acting_user=partner_member, industry="mining")
    assert not DomainRegistration.objects.exists()


def test_a_tier_with_a_bigger_cap_gives_a_bigger_default_target(targeted, fill):
    targeted.tier = Tier.GOLD
    targeted.save()
    fill(targeted, 17)
    ranking = ranking_for(partner=targeted, today=TODAY)
    assert (ranking.cap, ranking.default_target, len(ranking.proposal(ranking.default_target))) == (15, 15, 2)


def test_before_caps_take_effect_there_is_no_default_target(targeted, fill):
    fill(targeted, 12)
    ranking = ranking_for(partner=targeted, today=dt.date(2022, 1, 1))
    assert ranking.cap is None and ranking.default_target is None
    assert timezone.localdate() == TODAY


def test_staff_without_the_release_permission_read_but_may_not_release(over_cap, client_for):
    partner, extra = over_cap
    client = client_for(StaffFactory(email="reader@example.test"))  # every duty group, none grants releasing
    body = client.get(_url(partner)).content.decode()
    assert "abroad0.de" in body and "Review the release" not in body
    assert client.post(_url(partner, "registrations:assistant-release"), {"ids": [extra[0].pk]}).status_code == 403
    assert DomainRegistration.objects.get(pk=extra[0].pk).status == "registered"


def test_staff_with_the_release_permission_release_from_the_page(over_cap, client_for):
    partner, extra = over_cap
    person = StaffFactory(email="releaser@example.test", groups=["Partner operations"])
    person.user_permissions.add(Permission.objects.get(codename="change_domainregistration"))
    client = client_for(person)
    response = client.post(_url(partner, "registrations:assistant-release"), {"ids": [r.pk for r in extra]})
    assert response.status_code == 302
    assert RegistrationEvent.objects.filter(registration__in=extra, actor=person).count() == 3
