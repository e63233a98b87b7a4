from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from registrations.models import Deal, DealNote, DomainRegistration
from tests.factories import DealFactory, DomainRegistrationFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_capacity_page_shows_used_over_cap_and_explains_statuses(client_for, partner_member, fill):
    fill(partner_member.partner, 4)
    fill(partner_member.partner, 2, status="pending")
    fill(partner_member.partner, 3, status="released")
    response = client_for(partner_member).get(reverse("registrations:capacity"))
    body = response.content.decode()
    assert "6 / 10" in body
    assert "Waiting for your CAM" in body and "Another partner holds this domain" in body


def test_capacity_meter_ties_the_cap_to_the_tier_and_flags_expiring_domains(client_for, partner_member, fill):
    partner = partner_member.partner
    partner.tier = "gold"
    partner.save()
    today = timezone.localdate()
    fill(partner, 2, expires_on=today + dt.timedelta(days=10))  # within the 14-day reminder period
    fill(partner, 1, expires_on=today + dt.timedelta(days=40))
    body = client_for(partner_member).get(reverse("registrations:capacity")).content.decode()
    assert "Your cap follows your tier: 15 as Gold." in body
    assert "Platinum partners may hold 25." in body
    assert "2 expiring soon" in body


def test_no_expiry_warning_when_nothing_expires_soon(client_for, partner_member, fill):
    fill(partner_member.partner, 3)
    body = client_for(partner_member).get(reverse("registrations:capacity")).content.decode()
    assert 'data-testid="expiring-soon"' not in body
    assert "Your cap follows your tier: 10 as Solutions Partner." in body


def test_capacity_list_query_count_is_pinned(client_for, partner_member, fill, django_assert_max_num_queries):
    fill(partner_member.partner, 40)
    client = client_for(partner_member)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registrations:capacity"))
    assert response.content.decode().count('<tr id="registration-') == 40


def test_search_by_company_and_filter_by_status_return_the_list_partial(client_for, partner_member):
    partner = partner_member.partner
    DomainRegistrationFactory(partner=partner, domain="acme.com", company_name="Acme Widgets", status="registered")
    DomainRegistrationFactory(partner=partner, domain="globex.com", company_name="Globex", status="pending")
    client = client_for(partner_member)
    response = client.get(reverse("registrations:capacity"), {"q": "widgets"}, **HTMX)
    body = response.content.decode()
    assert "acme.com" in body and "globex.com" not in body
    assert "<h1>" not in body  # only the list partial
    response = client.get(reverse("registrations:capacity"), {"status": "pending"})
    assert "globex.com" in response.content.decode() and "acme.com" not in response.content.decode()


def test_registering_through_the_page_normalises_and_updates_the_meter(client_for, partner_member):
    response = client_for(partner_member).post(
        reverse("registrations:capacity"),
        {"domain": "https://www.Initech.com/contact", "company_name": "Initech"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "initech.com" in body and "1 / 10" in body
    assert DomainRegistration.objects.get().submitted_by == partner_member


def test_register_form_shows_clear_errors(client_for, partner_member, other_partner):
    DomainRegistrationFactory(partner=other_partner, domain="taken.com", status="registered")
    client = client_for(partner_member)
    response = client.post(reverse("registrations:capacity"), {"domain": "taken.com"})
    assert response.status_code == 400
    assert "unavailable — held by another partner" in response.content.decode()
    assert other_partner.name not in response.content.decode()
    response = client.post(reverse("registrations:capacity"), {"domain": "127.0.0.1"})
    assert "An IP address is not a domain." in response.content.decode()


def test_capacity_page_in_japanese(client_for, partner_member):
    response = client_for(partner_member).get(reverse("registrations:capacity"), HTTP_ACCEPT_LANGUAGE="ja")
    assert "ドメイン登録" in response.content.decode()
    assert "登録上限数" in response.content.decode()


def test_bulk_release_from_the_page(client_for, partner_member, fill):
    rows = fill(partner_member.partner, 3)
    response = client_for(partner_member).post(
        reverse("registrations:release"), {"ids": [rows[0].pk, rows[1].pk]}, **HTMX
    )
    assert "1 / 10" in response.content.decode()
    assert sorted(DomainRegistration.objects.values_list("status", flat=True)) == ["registered", "released", "released"]


def test_extend_button_extends_once(client_for, partner_member):
    registration = DomainRegistrationFactory(
        partner=partner_member.partner, status="registered", expires_on=dt.date(2030, 1, 31)
    )
    response = client_for(partner_member).post(reverse("registrations:extend", args=[registration.pk]), **HTMX)
    registration.refresh_from_db()
    assert registration.expires_on == dt.date(2030, 4, 30)
    assert "now expires on 30 Apr 2030." in response.content.decode()


@pytest.mark.parametrize("who", ["other_partner_user", "other_cam", "cam"])
def test_capacity_actions_on_a_partners_registration_are_404_for_others(request, client_for, partner, who):
    registration = DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2030, 1, 1))
    client = client_for(request.getfixturevalue(who))
    assert client.post(reverse("registrations:extend", args=[registration.pk])).status_code == 404
    assert client.post(reverse("registrations:release"), {"ids": [registration.pk]}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "registered" and registration.extension_count == 0


def test_other_partners_list_never_shows_my_domains(client_for, partner, other_partner_user):
    DomainRegistrationFactory(partner=partner, domain="secret-prospect.com")
    response = client_for(other_partner_user).get(reverse("registrations:capacity"), {"q": "secret"})
    assert "secret-prospect.com" not in response.content.decode()


# --- CAM queue -----------------------------------------------------------------------


def test_queue_lists_the_cams_pending_oldest_first_with_age(client_for, cam, partner, other_partner):
    old = DomainRegistrationFactory(
        partner=partner, domain="old.com", submitted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    DomainRegistrationFactory(partner=partner, domain="new.com")
    DomainRegistrationFactory(partner=other_partner, domain="not-my-book.com")
    DomainRegistrationFactory(partner=partner, domain="done.com", status="registered")
    body = client_for(cam).get(reverse("registrations:queue")).content.decode()
    assert body.index("old.com") < body.index("new.com")
    assert "not-my-book.com" not in body and "done.com" not in body
    assert f'title="{old.submitted_at.isoformat()}"' in body or "year" in body


def test_queue_query_count_is_pinned(client_for, cam, partner, django_assert_max_num_queries):
    DomainRegistrationFactory.create_batch(30, partner=partner)
    DealFactory.create_batch(10, partner=partner)
    client = client_for(cam)
    with django_assert_max_num_queries(8):
        client.get(reverse("registrations:queue"))


def test_a_long_queue_is_paged_fifty_at_a_time_oldest_first_with_the_total(client_for, cam, partner):
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows = [
        DomainRegistrationFactory(partner=partner, domain=f"q{i:03d}.com", submitted_at=start + dt.timedelta(hours=i))
        for i in range(120)
    ]
    client = client_for(cam)
    first = client.get(reverse("registrations:queue")).content.decode()
    assert "120 pending, oldest first." in first and "Page 1 of 3" in first
    assert "q000.com" in first and "q049.com" in first and "q050.com" not in first
    assert first.index("q000.com") < first.index("q049.com")
    # Each row's buttons post to that row's own decision URL (built once per page, not reversed per row).
    assert f'action="{reverse("registrations:queue-decide", args=["domain", rows[7].pk, "reject"])}"' in first
    assert 'href="?page=2"' in first
    third = client.get(reverse("registrations:queue"), {"page": 3}).content.decode()
    assert "q100.com" in third and "q119.com" in third and "q099.com" not in third


def test_queue_row_urls_decide_the_row_they_stand_for(client_for, cam, partner):
    deal = DealFactory(partner=partner)
    body = client_for(cam).get(reverse("registrations:queue")).content.decode()
    approve = reverse("registrations:queue-decide", args=["deal", deal.pk, "approve"])
    assert f'hx-post="{approve}"' in body
    client_for(cam).post(approve)
    deal.refresh_from_db()
    assert deal.status == "approved"


def test_capacity_pages_keep_the_filters_in_their_links(client_for, partner_member, fill):
    fill(partner_member.partner, 60, status="released", company_name="Acme")
    body = client_for(partner_member).get(reverse("registrations:capacity"), {"q": "prospect", "status": "released"})
    assert 'href="?q=prospect&amp;status=released&amp;page=2"' in body.content.decode()


def test_deal_pages_keep_the_status_filter_in_their_links(client_for, partner_member):
    DealFactory.create_batch(55, partner=partner_member.partner, status="pending")
    body = client_for(partner_member).get(reverse("registrations:deals"), {"status": "pending"}).content.decode()
    assert 'href="?status=pending&amp;page=2"' in body and "Page 1 of 2" in body


def test_the_two_queues_page_under_their_own_parameters(client_for, cam, partner):
    DomainRegistrationFactory.create_batch(51, partner=partner)
    DealFactory.create_batch(51, partner=partner)
    body = client_for(cam).get(reverse("registrations:queue"), {"page": 2}).content.decode()
    assert 'href="?page=1"' in body and 'href="?page=2&amp;deals_page=2"' in body


def test_the_country_select_is_kept_per_language_and_choice():
    from django.utils import translation

    from registrations.forms import DomainRegisterForm

    with translation.override("en"):
        english = str(DomainRegisterForm()["country"])
        chosen = DomainRegisterForm({"domain": "a.com", "country": "JP"})
        chosen.is_valid()
        chosen_html = str(chosen["country"])
    with translation.override("ja"):
        japanese = str(DomainRegisterForm()["country"])
    assert "Japan" in english and "日本" in japanese and "Japan" not in japanese
    assert '<option value="JP" selected>' in chosen_html and '<option value="JP" selected>' not in english


def test_cam_approves_inline_and_gets_the_decided_row(client_for, cam, partner):
    registration = DomainRegistrationFactory(partner=partner)
    url = reverse("registrations:queue-decide", args=["domain", registration.pk, "approve"])
    response = client_for(cam).post(url, **HTMX)
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert f"until {date_format(registration.expires_on)}" in response.content.decode()


def test_reject_without_reason_shows_the_error_inline(client_for, cam, partner):
    registration = DomainRegistrationFactory(partner=partner)
    url = reverse("registrations:queue-decide", args=["domain", registration.pk, "reject"])
    response = client_for(cam).post(url, {"reason": ""}, **HTMX)
    assert response.status_code == 400 and "reason is required" in response.content.decode()
    response = client_for(cam).post(url, {"reason": "Duplicate of an existing customer"}, **HTMX)
    registration.refresh_from_db()
    assert (registration.status, registration.decision_reason) == ("rejected", "Duplicate of an existing customer")


def test_bulk_approve(client_for, cam, partner):
    rows = DomainRegistrationFactory.create_batch(3, partner=partner)
    client_for(cam).post(reverse("registrations:queue-approve-bulk"), {"ids": [r.pk for r in rows[:2]]})
    assert sorted(DomainRegistration.objects.values_list("status", flat=True)) == [
        "pending",
        "registered",
        "registered",
    ]


@pytest.mark.parametrize("who", ["other_cam", "partner_admin", "other_partner_user"])
def test_queue_decisions_outside_the_book_are_404(request, client_for, partner, who):
    registration = DomainRegistrationFactory(partner=partner)
    deal = DealFactory(partner=partner)
    client = client_for(request.getfixturevalue(who))
    for kind, pk in (("domain", registration.pk), ("deal", deal.pk)):
        for decision in ("approve", "reject"):
            url = reverse("registrations:queue-decide", args=[kind, pk, decision])
            assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.post(reverse("registrations:queue-approve-bulk"), {"ids": [registration.pk]}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "pending"
    assert "pending-row" not in client.get(reverse("registrations:queue")).content.decode()


def test_queue_page_is_404_for_partner_users(client_for, partner_admin):
    assert client_for(partner_admin).get(reverse("registrations:queue")).status_code == 404


# --- deals ------------------------------------------------------------------------------


def test_partner_registers_a_deal_through_the_form(client_for, partner_member):
    response = client_for(partner_member).post(
        reverse("registrations:deals"),
        {
            "company_name": "Umbrella",
            "domain": "umbrella.co.jp",
            "products": ["marketing", "suite"],
            "expected_mrr": "980000",
            "currency": "JPY",
            "stage": "discovery",
            "expected_close_on": "2030-06-30",
            "partner_is_owner": "on",
            "sales_rep_name": "Rei",
            "sales_rep_email": "rei@vendor.example",
        },
    )
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registrations:deal", args=[deal.pk])
    assert deal.products == ["marketing", "suite"] and deal.currency == "JPY"


def test_deal_list_is_scoped_and_query_count_pinned(
    client_for, partner_member, other_partner, django_assert_max_num_queries
):
    DealFactory.create_batch(15, partner=partner_member.partner)
    DealFactory(partner=other_partner, company_name="Hidden Corp")
    client = client_for(partner_member)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("registrations:deals")).content.decode()
    assert "Hidden Corp" not in body and body.count("Deal Co") == 15


def test_both_sides_write_in_the_notes_thread_via_htmx(client_for, partner_member, cam):
    deal = DealFactory(partner=partner_member.partner)
    url = reverse("registrations:deal-note", args=[deal.pk])
    client_for(partner_member).post(url, {"body": "Champion is the CMO"}, **HTMX)
    response = client_for(cam).post(url, {"body": "Sally will join the call"}, **HTMX)
    body = response.content.decode()
    assert "Champion is the CMO" in body and "Sally will join the call" in body and "<h1>" not in body
    assert DealNote.objects.count() == 2


@pytest.mark.parametrize("who", ["other_partner_user", "other_cam"])
def test_deal_pages_are_404_outside_the_partner_and_book(request, client_for, partner, who):
    deal = DealFactory(partner=partner)
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("registrations:deal", args=[deal.pk])).status_code == 404
    assert client.post(reverse("registrations:deal-note", args=[deal.pk]), {"body": "x"}, **HTMX).status_code == 404
    assert not DealNote.objects.exists()


def test_cam_outside_the_book_sees_none_of_the_partners_deals(client_for, partner, other_cam, cam):
    DealFactory(partner=partner, company_name="Booked Corp")
    assert "Booked Corp" not in client_for(other_cam).get(reverse("registrations:deals")).content.decode()
    assert "Booked Corp" in client_for(cam).get(reverse("registrations:deals")).content.decode()


def test_capacity_page_is_404_for_cams(client_for, cam):
    assert client_for(cam).get(reverse("registrations:capacity")).status_code == 404
