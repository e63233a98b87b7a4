"""Mail cannot fail a CAM's decision or lose a reminder: SMTP unreachable, then back."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from portal.models import OutgoingEmail
from registrations import services
from tests.factories import DomainRegistrationFactory

SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_unreachable(settings):
    settings.EMAIL_TRANSPORT_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return settings


def test_cam_approval_succeeds_with_smtp_down_and_a_later_flush_sends_once(
    client_for, cam, partner, partner_admin, partner_member, smtp_unreachable, django_capture_on_commit_callbacks
):
    registration = DomainRegistrationFactory(partner=partner, status="pending", domain="acme.co.jp")
    with time_machine.travel(dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(cam).post(
                reverse("registrations:queue-decide", args=["domain", registration.pk, "approve"])
            )
        assert response.status_code == 302
        registration.refresh_from_db()
        assert registration.status == "registered"
        queued = list(OutgoingEmail.objects.order_by("pk"))
        # One message per partner user; the send was tried on commit and refused by the closed port.
        assert sorted(row.to[0] for row in queued) == sorted([partner_admin.email, partner_member.email])
        assert {(row.status, row.attempts) for row in queued} == {("queued", 1)}
        assert all("ConnectionRefusedError" in row.last_error for row in queued)
        assert {row.next_attempt_at for row in queued} == {dt.datetime(2024, 1, 10, 9, 1, tzinfo=dt.UTC)}
        assert mail.outbox == []

        # Not yet due: a flush right away sends nothing and counts no attempt.
        smtp_unreachable.EMAIL_TRANSPORT_BACKEND = LOCMEM
        call_command("send_emails")
        assert mail.outbox == []

    with time_machine.travel(dt.datetime(2024, 1, 10, 9, 1, tzinfo=dt.UTC), tick=False):
        call_command("send_emails")
        call_command("send_emails")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner_admin.email, partner_member.email])
    assert "acme.co.jp" in mail.outbox[0].subject
    assert {(row.status, row.attempts, row.last_error) for row in OutgoingEmail.objects.all()} == {("sent", 2, "")}


def test_reminders_with_smtp_down_are_queued_and_a_retry_sends_them(
    partner, partner_admin, smtp_unreachable, django_capture_on_commit_callbacks
):
    DomainRegistrationFactory(partner=partner, domain="soon.com", status="registered", expires_on=dt.date(2024, 3, 15))
    with time_machine.travel(dt.datetime(2024, 3, 1, 7, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.expiry_reminders_send(on=dt.date(2024, 3, 1)) == 1
        row = OutgoingEmail.objects.get()
        assert (row.status, row.attempts, row.to) == ("queued", 1, [partner_admin.email])
        # The reminder counts as sent (its message is queued): the daily job does not queue it twice.
        with django_capture_on_commit_callbacks(execute=True):
            assert services.expiry_reminders_send(on=dt.date(2024, 3, 1)) == 0
        assert OutgoingEmail.objects.count() == 1

    smtp_unreachable.EMAIL_TRANSPORT_BACKEND = LOCMEM
    with time_machine.travel(dt.datetime(2024, 3, 1, 7, 5, tzinfo=dt.UTC), tick=False):
        call_command("send_emails")
    assert len(mail.outbox) == 1
    assert "soon.com" in mail.outbox[0].body
    assert OutgoingEmail.objects.get().status == "sent"


def test_rolled_back_decision_stores_no_message(cam, partner, partner_admin, django_capture_on_commit_callbacks):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.registration_approve(registration=registration, acting_user=cam)
        assert OutgoingEmail.objects.count() == 1  # stored in the decision's transaction…
        raise RuntimeError("something later in the same transaction fails")
    assert OutgoingEmail.objects.count() == 0  # …and gone with it
    assert mail.outbox == []
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_refused_second_decision_queues_nothing(cam, partner, partner_admin, django_capture_on_commit_callbacks):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, acting_user=cam)
        with pytest.raises(services.NotLive):
            services.registration_approve(registration=registration, acting_user=cam)
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_broker_down_on_commit_leaves_the_message_queued_for_the_flush(
    client_for, cam, partner, partner_admin, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.send_emails, "delay", broker_down)
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cam).post(
            reverse("registrations:queue-decide", args=["domain", registration.pk, "approve"])
        )
    assert response.status_code == 302
    assert OutgoingEmail.objects.get().status == "queued"
    assert mail.outbox == []
    call_command("send_emails")
    assert len(mail.outbox) == 1


def test_approval_email_has_text_and_html_in_the_partners_language(
    cam, partner, partner_admin, django_capture_on_commit_callbacks
):
    registration = DomainRegistrationFactory(partner=partner, status="pending", domain="acme.co.jp")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(registration=registration, acting_user=cam, reason="Existing <customer> & co")
    message = mail.outbox[0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    # The partner is in the Japan region: greeting, body and footer in Japanese.
    assert "却下" in message.subject
    assert message.body.startswith("いつもお世話になっております。")
    assert "Existing <customer> & co" in message.body  # text is not HTML-escaped
    assert "Existing &lt;customer&gt; &amp; co" in html  # HTML is
    assert '<html lang="ja">' in html


def test_english_partner_gets_the_english_templates(cam, other_partner, other_partner_user, other_cam):
    registration = DomainRegistrationFactory(partner=other_partner, status="pending", domain="example.org")
    services.registration_approve(registration=registration, acting_user=other_cam)
    row = OutgoingEmail.objects.get()
    assert row.subject == "Domain registration approved: example.org"
    assert row.body.startswith("Hello,\n\nexample.org is registered to your organisation until ")
    assert "The partner programme team" in row.body and '<html lang="en">' in row.html_body
