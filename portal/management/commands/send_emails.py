"""`manage.py send_emails`: send every queued email that is due (the outbox flush beat runs each minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from portal.services import outgoing_emails_flush


class Command(BaseCommand):
    help = "Send every queued email that is due; failed attempts are retried later with backoff."

    def handle(self, *args, **options) -> None:
        counts = outgoing_emails_flush()
        self.stdout.write(f"{counts['sent']} sent, {counts['retrying']} to retry, {counts['failed']} failed")
