"""Staff moderation (publish / reject with a reason, audited, emailed) and the partner's one public reply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from directory import review_services
from directory.models import AuditEntry, Review, ReviewStatus
from directory.review_services import ReviewError
from portal.access import PermissionRefused
from portal.home import decisions_waiting
from portal.models import OutgoingEmail
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _emails_to(address: str) -> list[OutgoingEmail]:
    return [e for e in OutgoingEmail.objects.order_by("pk") if address in e.to]


def test_queue_lists_pending_reviews_oldest_first(client_for, staff, submitted, django_assert_max_num_queries):
    now = timezone.now()
    newer = submitted("new@client.com", now=now - dt.timedelta(hours=1), title="Newer")
    older = submitted("old@client.com", now=now - dt.timedelta(days=3), title="Older")
    published = submitted("done@client.com", now=now - dt.timedelta(days=5), title="Done")
    review_services.review_publish(review=published, actor=staff)
    c = client_for(staff)
    with django_assert_max_num_queries(9):
        page = c.get(reverse("directory:moderation"))
    assert [r.pk for r in page.context["queue"]] == [older.pk, newer.pk]


@pytest.mark.parametrize(("persona", "status"), [("partner_admin", 404), ("cam", 404), ("no_rights", 403)])
def test_moderation_needs_the_permission(client_for, submitted, persona, status, request):
    review = submitted()
    person = StaffFactory(groups=[]) if persona == "no_rights" else request.getfixturevalue(persona)
    c = client_for(person)
    assert c.get(reverse("directory:moderation")).status_code == status
    assert c.post(reverse("directory:review-publish", args=[review.pk])).status_code == status
    assert c.post(reverse("directory:review-reject", args=[review.pk]), {"reason": "x"}).status_code == status
    assert Review.objects.get().status == ReviewStatus.PENDING


def test_publishing_is_audited_emailed_in_the_partners_language_and_safe_to_double_click(
    client_for, staff, partner_admin, submitted
):
    review = submitted()
    c = client_for(staff)
    c.post(reverse("directory:review-publish", args=[review.pk]))
    second = c.post(reverse("directory:review-publish", args=[review.pk]), follow=True)
    assert "already been moderated" in second.content.decode()
    review.refresh_from_db()
    assert (review.status, review.moderated_by) == (ReviewStatus.PUBLISHED, staff)
    entries = AuditEntry.objects.filter(subject=AuditEntry.Subject.REVIEW, object_id=review.pk, actor=staff)
    assert [(e.from_state, e.to_state) for e in entries] == [("pending", "published")]
    (message,) = _emails_to(partner_admin.email)  # the partner is in the Japan region
    assert "公開" in message.subject and "Jane Client" in message.body


def test_rejecting_needs_a_reason_which_the_partner_reads(client_for, staff, partner_admin, partner, submitted):
    review = submitted()
    c = client_for(staff)
    c.post(reverse("directory:review-reject", args=[review.pk]), {"reason": "  "})
    assert Review.objects.get().status == ReviewStatus.PENDING
    with pytest.raises(ReviewError):
        review_services.review_reject(review=review, actor=staff, reason=" ")
    partner_admin.language = "en"
    partner_admin.save(update_fields=["language"])
    c.post(reverse("directory:review-reject", args=[review.pk]), {"reason": "Names a private person."})
    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == (ReviewStatus.REJECTED, "Names a private person.")
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.REVIEW, to_state="rejected")
    assert (entry.reason, entry.partner_id) == ("Names a private person.", partner.pk)
    (message,) = _emails_to(partner_admin.email)
    assert "was not published" in message.subject and "Names a private person." in message.body


def test_staff_without_the_permission_cannot_moderate_through_the_service(submitted):
    review = submitted()
    with pytest.raises(PermissionRefused):
        review_services.review_publish(review=review, actor=StaffFactory(groups=["Auditors"]))
    assert Review.objects.get().status == ReviewStatus.PENDING


def test_staff_home_counts_reviews_waiting(staff, submitted):
    submitted("a@client.com")
    submitted("b@client.com", now=timezone.now() - dt.timedelta(days=10))
    (row,) = [r for r in decisions_waiting(user=staff, now=timezone.now()) if r.key == "client-reviews"]
    assert (row.recent, row.week, row.older, row.url) == (1, 0, 1, reverse("directory:moderation"))
    assert not [
        r
        for r in decisions_waiting(user=StaffFactory(groups=["Auditors"]), now=timezone.now())
        if r.key == "client-reviews"
    ]


# --- the reply ---------------------------------------------------------------------------------------


@pytest.fixture
def published(submitted, staff):
    return review_services.review_publish(review=submitted(), actor=staff)


def test_an_org_admin_replies_once_in_public(client_for, partner_admin, published):
    c = client_for(partner_admin)
    c.post(reverse("directory:review-reply", args=[published.pk]), {"reply": "Thank you, Jane!"})
    second = c.post(reverse("directory:review-reply", args=[published.pk]), {"reply": "Edited"}, follow=True)
    assert "You can reply once" in second.content.decode()
    published.refresh_from_db()
    assert (published.reply, published.replied_by) == ("Thank you, Jane!", partner_admin)
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.REVIEW, to_state="replied")
    assert entry.actor == partner_admin and entry.reason == "Thank you, Jane!"


def test_members_cannot_reply_and_pending_reviews_take_no_reply(partner_member, partner_admin, submitted, published):
    with pytest.raises(ReviewError):
        review_services.review_reply(review=published, actor=partner_member, text="Hi")
    pending = submitted("other@client.com")
    with pytest.raises(ReviewError):
        review_services.review_reply(review=pending, actor=partner_admin, text="Hi")
    assert not Review.objects.exclude(reply="").exists()


def test_another_partner_cannot_reach_the_review(client_for, other_partner_user, published):
    c = client_for(other_partner_user)
    assert c.post(reverse("directory:review-reply", args=[published.pk]), {"reply": "Hijack"}).status_code == 404
    assert b"Great work" not in c.get(reverse("directory:reviews")).content
    published.refresh_from_db()
    assert published.reply == ""
