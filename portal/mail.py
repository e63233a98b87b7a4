"""The outbox email backend: Django's mail API stores messages instead of sending them.

`EMAIL_BACKEND = "portal.mail.OutboxBackend"` sends every message of every app (the
partner emails, password resets, anything calling `send_mail`) through here. Each
message becomes an `OutgoingEmail` row in the caller's transaction — a rolled-back
decision leaves no message, a committed one cannot lose it — and a Celery task is
enqueued once the transaction commits to send it through the real transport
(`EMAIL_TRANSPORT_BACKEND`). Sending never happens inside a request's transaction, so
an unreachable SMTP server can never fail the request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

logger = logging.getLogger(__name__)


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from portal.services import outgoing_emails_queue

        if not email_messages:
            return 0
        try:
            rows = outgoing_emails_queue(messages=list(email_messages))
        except Exception:
            if self.fail_silently:
                return 0
            raise
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
        return len(rows)


def enqueue_delivery(ids: list[int]) -> None:
    """Hand freshly queued messages to a worker. If the broker is down the messages stay
    queued and the periodic `send_emails` flush sends them; nothing is lost."""
    from portal.tasks import send_emails

    try:
        send_emails.delay(ids)
    except Exception as exc:  # broker unreachable: the beat flush picks them up later
        logger.warning("outbox: could not enqueue %s message(s) (%s); the next flush sends them", len(ids), exc)


def as_message(row) -> EmailMultiAlternatives:
    """Rebuild the Django message of an `OutgoingEmail` row for the transport."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers=row.headers,
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    return message
