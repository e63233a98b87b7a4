"""The client's one-time review page: works once, expires, resists spam, speaks the invitation's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from directory import review_forms, review_services, review_views
from directory.models import AuditEntry, Review, ReviewInvitation, ReviewStatus
from directory.review_forms import ReviewWriteForm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_wait(monkeypatch):
    """Tests post at once; the minimum time is tested on its own below."""
    monkeypatch.setattr(review_forms, "MIN_SECONDS_TO_SUBMIT", 0)


def _url(raw: str) -> str:
    return reverse("directory:review-write", args=[raw])


def _answers(**changes) -> dict:
    data = {
        "rating": "4",
        "title": "Solid CRM rollout",
        "body": "They moved our data and trained every team in two weeks.",
        "reviewer_name": "Jane Client",
        "reviewer_title": "COO",
        "consent": "on",
        "website": "",
        "started": ReviewWriteForm.started_value(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_client_sees_who_asked_and_the_prefilled_form(client, invite, partner_admin):
    raw = invite(partner_admin, "jane@client.com", name="Jane Client")
    page = client.get(_url(raw))
    assert page.status_code == 200
    assert "Review Own Agency" in page.content.decode()
    assert page.context["form"]["reviewer_name"].value() == "Jane Client"
    assert b'type="radio" name="rating"' in page.content and b"<legend" in page.content


def test_the_page_speaks_the_invitation_language_unless_the_client_chose_one(client, invite, partner_admin, settings):
    raw = invite(partner_admin, "jane@client.com", language="ja")
    assert client.get(_url(raw)).context["LANGUAGE_CODE"] == "ja"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(_url(raw)).context["LANGUAGE_CODE"] == "en"


def test_submitting_makes_a_pending_review_and_spends_the_link(client, invite, partner_admin):
    raw = invite(partner_admin, "jane@client.com")
    response = client.post(_url(raw), _answers())
    assert response.status_code == 200 and response.context["thanks"]
    review = Review.objects.get()
    assert (review.status, review.rating, review.reviewer_email, review.customer_domain) == (
        ReviewStatus.PENDING,
        4,
        "jane@client.com",
        "client.com",
    )
    assert ReviewInvitation.objects.get().used_at is not None
    assert AuditEntry.objects.filter(subject=AuditEntry.Subject.REVIEW, to_state="pending").exists()
    again = client.get(_url(raw))
    assert again.status_code == 410 and "has been used" in again.content.decode()
    assert "form" not in again.context
    assert client.post(_url(raw), _answers()).status_code == 410
    assert Review.objects.count() == 1


def test_an_expired_or_unknown_link_shows_no_form(client, invite, partner_admin):
    raw = invite(partner_admin, "jane@client.com", now=timezone.now() - dt.timedelta(days=31))
    expired = client.get(_url(raw))
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert b'id="review-form"' not in expired.content
    assert client.get(_url("not-a-real-token-" + "x" * 30)).status_code == 404


def test_service_refuses_a_second_submit_of_the_same_link(invite, partner_admin):
    raw = invite(partner_admin, "jane@client.com")
    args = {"rating": 5, "title": "t", "body": "b" * 30, "reviewer_name": "J", "consent": True, "language": "en"}
    review_services.review_submit(raw_token=raw, **args)
    with pytest.raises(review_services.ReviewLinkError) as caught:
        review_services.review_submit(raw_token=raw, **args)
    assert caught.value.code == "link_used"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rating": None}, "rating", "Choose a rating from 1 to 5 stars."),
        ({"rating": "9"}, "rating", "Select a valid choice."),
        ({"consent": None}, "consent", "Tick the box to agree that your review is published."),
        ({"body": "Good."}, "body", "at least 20 characters"),
        ({"title": "x" * 161}, "title", "at most 160 characters"),
    ],
)
def test_a_wrong_answer_comes_back_with_the_message_and_no_review(
    client, invite, partner_admin, changes, field, message
):
    raw = invite(partner_admin, "jane@client.com")
    response = client.post(_url(raw), _answers(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Review.objects.exists() and ReviewInvitation.objects.get().used_at is None


def test_a_filled_honeypot_or_a_forged_start_is_refused(client, invite, partner_admin):
    raw = invite(partner_admin, "jane@client.com")
    for changes in ({"website": "http://spam.example"}, {"started": "forged"}):
        response = client.post(_url(raw), _answers(**changes))
        assert response.status_code == 400 and "could not be sent" in response.content.decode()
    assert not Review.objects.exists()


def test_a_form_sent_back_faster_than_a_person_reads_is_refused(client, invite, partner_admin, monkeypatch):
    monkeypatch.setattr(review_forms, "MIN_SECONDS_TO_SUBMIT", 60)
    raw = invite(partner_admin, "jane@client.com")
    response = client.post(_url(raw), _answers())
    assert response.status_code == 400 and "That was quick" in response.content.decode()
    assert not Review.objects.exists()


def test_review_links_are_rate_limited_per_address(client, invite, partner_admin, monkeypatch):
    monkeypatch.setattr(review_views, "LINK_REQUESTS_PER_IP_PER_HOUR", 3)
    raw = invite(partner_admin, "jane@client.com")
    codes = [client.get(_url(raw)).status_code for _ in range(3)]
    codes.append(client.get(_url("guess-" + "y" * 40)).status_code)
    assert codes == [200, 200, 200, 429]
    other = client.get(_url(raw), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200


def test_the_client_page_reads_few_queries(client, invite, partner_admin, django_assert_max_num_queries):
    raw = invite(partner_admin, "jane@client.com")
    with django_assert_max_num_queries(3):
        assert client.get(_url(raw)).status_code == 200


def test_the_japanese_client_page_has_no_english_ui_text(invite, partner_admin):
    from django.test import Client

    from tests.visible_text import english_pieces

    raw = invite(partner_admin, "jane@client.com", language="ja", name="田中 花子")
    client = Client()
    page = client.get(_url(raw)).content.decode()
    refused = client.post(_url(raw), _answers(rating=None)).content.decode()
    assert english_pieces(page, names=["Own Agency"]) == []
    typed = ["Solid CRM rollout", "They moved our data and trained every team in two weeks.", "Jane Client", "COO"]
    assert english_pieces(refused, names=["Own Agency", *typed]) == []
    assert "1〜5の星で評価を選んでください。" in refused
