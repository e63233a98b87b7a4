"""A real Celery worker (threaded, against REDIS_URL) sends what a committed decision queued."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.mail import send_mail

from portal.models import OutgoingEmail
from tests.workers import worker_running


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_sends_the_message_enqueued_on_commit(celery_app_on_redis):
    with worker_running(celery_app_on_redis):
        # Autocommit: the message is stored, committed, and the send task enqueued on the broker.
        send_mail("Job failed", "The monthly evaluation failed.", None, ["staff@example.test"])
        row = OutgoingEmail.objects.get()
        deadline = time.monotonic() + 30
        while row.status == "queued" and time.monotonic() < deadline:
            time.sleep(0.2)
            row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert [m.subject for m in mail.outbox] == ["Job failed"]
