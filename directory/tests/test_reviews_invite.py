"""Inviting a client to review: who may, which contacts qualify, the limits, the one-time link."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from directory import review_services
from directory.models import AuditEntry, Review, ReviewInvitation
from directory.review_services import ReviewError
from portal.models import OutgoingEmail, Role
from tests.factories import DomainRegistrationFactory, PartnerUserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


def _invite(actor, email, *, now=NOW, name="Jane Client", language="en"):
    return review_services.review_invite(actor=actor, email=email, contact_name=name, language=language, now=now)


def _refusal(actor, email, *, now=NOW) -> ReviewError:
    with pytest.raises(ReviewError) as caught:
        _invite(actor, email, now=now)
    return caught.value


def test_member_invites_a_client_on_a_customer_domain_by_one_time_link(partner_member, mrr):
    mrr(partner_member.partner, "2026-05", "client.com")
    invitation, raw = _invite(partner_member, "Jane@Client.com", language="ja")

    assert invitation.email == "jane@client.com" and invitation.customer_domain == "client.com"
    assert len(raw) >= 43  # 32 random bytes, URL-safe
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not ReviewInvitation.objects.filter(token_hash=raw).exists()
    assert invitation.expires_at == NOW + dt.timedelta(days=30) and invitation.used_at is None
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.REVIEW_INVITATION)
    assert (entry.to_state, entry.actor, entry.partner_id) == ("sent", partner_member, partner_member.partner_id)
    (message,) = OutgoingEmail.objects.all()
    assert message.to == ["jane@client.com"]
    assert reverse("directory:review-write", args=[raw]) in message.body
    assert "Own Agency" in message.subject and "レビュー" in message.subject  # the invitation's language


def test_a_subdomain_address_counts_by_its_registrable_parent(partner_member, mrr):
    mrr(partner_member.partner, "2026-01", "client.co.uk")
    invitation, _raw = _invite(partner_member, "ops@mail.client.co.uk")
    assert invitation.customer_domain == "client.co.uk"


def test_an_approved_registration_makes_a_customer_but_a_pending_one_does_not(partner_member):
    DomainRegistrationFactory(partner=partner_member.partner, domain="approved.com", status="registered")
    DomainRegistrationFactory(partner=partner_member.partner, domain="waiting.com", status="pending")
    assert _invite(partner_member, "cto@approved.com")[0].customer_domain == "approved.com"
    assert _refusal(partner_member, "cto@waiting.com").field == "email"


def test_mrr_older_than_24_months_or_another_partners_customer_does_not_count(partner_member, other_partner, mrr):
    mrr(partner_member.partner, "2024-06", "old.com")  # 25 months back from 2026-06
    mrr(partner_member.partner, "2024-07", "recent.com")  # the 24th month
    mrr(other_partner, "2026-05", "theirs.com")
    refused = _refusal(partner_member, "a@old.com")
    assert refused.field == "email" and "not one of your customer domains" in refused.message
    assert _refusal(partner_member, "a@theirs.com").field == "email"
    assert _invite(partner_member, "a@recent.com")[0].customer_domain == "recent.com"


def test_own_domain_is_refused_as_a_self_review(partner, partner_member, mrr):
    PartnerUserFactory(partner=partner, email="boss@own-agency.com", role=Role.PARTNER_ADMIN)
    mrr(partner, "2026-05", "own-agency.com")  # even if it also appears as a customer
    refused = _refusal(partner_member, "friend@own-agency.com")
    assert refused.field == "email" and "own domain" in refused.message


def test_one_review_per_contact_per_partner_in_twelve_months(partner_admin, submitted, mrr):
    submitted("jane@client.com", now=NOW - dt.timedelta(days=300))
    mrr(partner_admin.partner, "2026-06", "client.com")
    assert "last 12 months" in _refusal(partner_admin, "jane@client.com").message
    assert _invite(partner_admin, "jane@client.com", now=NOW + dt.timedelta(days=66))[0].pk


def test_an_open_invitation_blocks_a_second_until_it_expires(partner_member, mrr):
    mrr(partner_member.partner, "2026-06", "client.com")
    _invite(partner_member, "jane@client.com")
    assert "open invitation" in _refusal(partner_member, "jane@client.com").message
    later = NOW + dt.timedelta(days=31)
    mrr(partner_member.partner, "2026-07", "client.com")
    assert _invite(partner_member, "jane@client.com", now=later)[0].pk


def test_hourly_limit_per_person_and_daily_limit_per_partner(partner, partner_member, partner_admin, mrr, settings):
    mrr(partner, "2026-06", "client.com")
    for n in range(review_services.INVITES_PER_USER_PER_HOUR):
        _invite(partner_member, f"c{n}@client.com")
    refused = _refusal(partner_member, "late@client.com")
    assert refused.code == "rate_limited" and "5 review invitations in the last hour" in refused.message
    # Another person of the partner may go on until the partner's daily limit.
    helpers = [PartnerUserFactory(partner=partner) for _ in range(3)]
    sent = review_services.INVITES_PER_USER_PER_HOUR
    for n, person in enumerate(helpers * 5):
        if sent == review_services.INVITES_PER_PARTNER_PER_DAY:
            break
        _invite(person, f"d{n}@client.com")
        sent += 1
    refused = _refusal(partner_admin, "more@client.com")
    assert refused.code == "rate_limited" and "20 review invitations in the last 24 hours" in refused.message
    assert _invite(partner_admin, "next-day@client.com", now=NOW + dt.timedelta(days=1, minutes=1))[0].pk


def test_cams_and_staff_cannot_invite_for_a_partner(cam, staff):
    for person in (cam, staff):
        with pytest.raises(ReviewError) as caught:
            _invite(person, "jane@client.com")
        assert caught.value.code == "forbidden"
    assert not ReviewInvitation.objects.exists()


def test_invite_form_shows_the_refusal_under_the_email_field(client_for, partner_member):
    response = client_for(partner_member).post(
        reverse("directory:review-invite"),
        {"contact_name": "Jane", "email": "jane@nowhere-customer.com", "language": "en"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "not one of your customer domains" in form.errors["email"][0]
    assert not form.non_field_errors()
    assert not ReviewInvitation.objects.exists()


def test_invite_form_sends_and_lists_the_invitation(client_for, partner_member, mrr):
    mrr(partner_member.partner, f"{timezone.now():%Y-%m}", "client.com")
    c = client_for(partner_member)
    response = c.post(
        reverse("directory:review-invite"), {"contact_name": "Jane", "email": "jane@client.com", "language": "ja"}
    )
    assert response.status_code == 302
    page = c.get(reverse("directory:reviews"))
    assert b"jane@client.com" in page.content and "送信済み".encode() not in page.content  # English page
    assert [i.state for i in page.context["invitations"]] == ["sent"]


def test_reviews_page_shows_only_the_own_partners_invitations_and_reviews(
    client_for, partner_admin, other_partner_user, submitted, mrr, django_assert_max_num_queries
):
    submitted("jane@client.com")
    mrr(other_partner_user.partner, "2026-06", "theirs.com")
    _invite(other_partner_user, "bob@theirs.com")
    c = client_for(partner_admin)
    with django_assert_max_num_queries(8):
        page = c.get(reverse("directory:reviews"))
    assert b"jane@client.com" in page.content and b"bob@theirs.com" not in page.content
    assert [r.partner_id for r in page.context["reviews"]] == [partner_admin.partner_id]
    assert Review.objects.count() == 1


@pytest.mark.parametrize("persona", ["cam", "staff", None])
def test_reviews_page_is_for_partner_users_only(client, client_for, persona, request):
    c = client_for(request.getfixturevalue(persona)) if persona else client
    response = c.get(reverse("directory:reviews"))
    assert response.status_code == (302 if persona is None else 404)
    assert c.post(reverse("directory:review-invite"), {}).status_code == (302 if persona is None else 404)
