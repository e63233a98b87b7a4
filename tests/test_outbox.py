"""The email outbox: backoff, giving up, staff visibility and retry, and that every mail path uses it."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage, send_mail
from django.urls import reverse

from portal.models import OutgoingEmail
from portal.services import outbox_backoff, outgoing_emails_flush

pytestmark = pytest.mark.django_db
START = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def smtp_unreachable(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_TRANSPORT_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return settings


def test_backoff_doubles_from_one_minute_and_is_capped_at_four_hours(settings):
    minutes = [outbox_backoff(n).total_seconds() / 60 for n in range(1, 11)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 240, 240]


def test_failing_message_is_retried_on_the_backoff_schedule_then_marked_failed(
    smtp_unreachable, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            send_mail("Subject", "Body", None, ["someone@example.test"])  # tried once committed
        row = OutgoingEmail.objects.get()
        attempts_at = [row.last_attempt_at]
        while row.status == "queued":
            # One second early: not due, nothing is tried.
            clock.move_to(row.next_attempt_at - dt.timedelta(seconds=1))
            assert outgoing_emails_flush() == {"sent": 0, "retrying": 0, "failed": 0}
            clock.move_to(row.next_attempt_at)
            outgoing_emails_flush()
            row.refresh_from_db()
            attempts_at.append(row.last_attempt_at)
    gaps = [
        (later - earlier).total_seconds() / 60 for earlier, later in zip(attempts_at, attempts_at[1:], strict=False)
    ]
    assert gaps == [1, 2, 4, 8, 16, 32, 64, 128, 240]
    assert (row.status, row.attempts) == ("failed", 10)
    assert "ConnectionRefusedError" in row.last_error
    assert mail.outbox == []


def _failed_email(**extra) -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        status="failed",
        from_email="portal@example.test",
        to=["someone@example.test"],
        subject="Domain registration approved: acme.com",
        body="Hello",
        attempts=10,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        **extra,
    )


def test_staff_home_counts_failed_and_waiting_emails(client_for, staff):
    _failed_email()
    _failed_email()
    OutgoingEmail.objects.create(from_email="portal@example.test", to=["x@example.test"], subject="s", body="b")
    response = client_for(staff).get(reverse("home"))
    body = response.content.decode()
    assert "2 emails could not be sent" in body
    assert "1 email waiting to be sent" in body
    assert reverse("admin:portal_outgoingemail_changelist") + "?status__exact=failed" in body
    japanese = client_for(staff).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "2件のメールを送信できませんでした" in japanese and "1件のメールが送信待ちです" in japanese


def test_staff_home_says_so_when_no_email_failed(client_for, staff):
    body = client_for(staff).get(reverse("home")).content.decode()
    assert "No failed emails" in body


def test_staff_see_the_error_in_admin_and_retry_sends_the_message(
    client_for, staff, django_capture_on_commit_callbacks
):
    failed = _failed_email()
    client = client_for(staff)
    listing = client.get(reverse("admin:portal_outgoingemail_changelist") + "?status__exact=failed")
    assert "ConnectionRefusedError" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:portal_outgoingemail_changelist"),
            {"action": "retry", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert [m.subject for m in mail.outbox] == ["Domain registration approved: acme.com"]


def test_partner_users_cannot_open_the_outbox(client_for, partner_admin, cam):
    _failed_email()
    for user in (partner_admin, cam):
        response = client_for(user).get(reverse("admin:portal_outgoingemail_changelist"))
        assert response.status_code == 302  # to the admin login, never the list
        assert "acme.com" not in response.content.decode()


def test_plain_send_mail_goes_through_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Job failed", "The monthly evaluation failed.", None, ["staff@example.test"])
    row = OutgoingEmail.objects.get()
    assert (row.status, row.to, row.subject) == ("sent", ["staff@example.test"], "Job failed")
    assert mail.outbox[0].body == "The monthly evaluation failed."
    assert (row.body, row.html_body) == ("", "")  # not kept once sent


def test_attachments_are_refused_rather_than_dropped():
    message = EmailMessage("Report", "See attached", None, ["someone@example.test"])
    message.attach("report.csv", "a,b\n1,2\n", "text/csv")
    with pytest.raises(ValueError, match="attachments"):
        message.send()
    assert not OutgoingEmail.objects.exists()


def test_old_sent_messages_are_deleted_by_the_periodic_flush(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_OUTBOX_KEEP_SENT_DAYS = 30
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        send_mail("old", "b", None, ["a@example.test"])
    with (
        time_machine.travel(START + dt.timedelta(days=29), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_mail("recent", "b", None, ["a@example.test"])
    with time_machine.travel(START + dt.timedelta(days=31), tick=False):
        outgoing_emails_flush()
    assert list(OutgoingEmail.objects.values_list("subject", flat=True)) == ["recent"]


# serialized_rollback: the flush after a transactional test would otherwise drop rows seeded by data migrations.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_being_sent_by_one_worker_is_skipped_by_another():
    """Two flushes at once (the on-commit task and the beat flush) never send one message twice."""
    import threading

    from django.db import connection, transaction

    from portal.services import outgoing_email_deliver

    row = OutgoingEmail.objects.create(from_email="portal@example.test", to=["a@example.test"], subject="s", body="b")
    locked, release = threading.Event(), threading.Event()

    def first_worker() -> None:
        try:
            with transaction.atomic():
                OutgoingEmail.objects.select_for_update().get(pk=row.pk)  # mid-send
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert locked.wait(10)
    try:
        assert outgoing_email_deliver(email_id=row.pk) is None  # skipped, not waited for, not sent
        row.refresh_from_db()
        assert (row.status, row.attempts, mail.outbox) == ("queued", 0, [])
    finally:
        release.set()
        thread.join()
    assert outgoing_email_deliver(email_id=row.pk) == "sent"
    assert len(mail.outbox) == 1


def test_admin_never_shows_a_body_such_as_a_password_reset_link(client_for, staff):
    row = _failed_email()
    OutgoingEmail.objects.filter(pk=row.pk).update(body="Reset: https://portal.example/accounts/reset/MQ/tok-123/")
    response = client_for(staff).get(reverse("admin:portal_outgoingemail_change", args=[row.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Domain registration approved: acme.com" in body and "ConnectionRefusedError" in body
    assert "tok-123" not in body
