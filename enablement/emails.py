"""Decision emails, in the partner's language (Japanese for partners in the Japan region)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from portal.models import Partner, Role, User


def partner_language(partner: Partner) -> str:
    return "ja" if partner.region == "japan" else "en"


def partner_admin_emails(partner: Partner, *, extra: User | None = None) -> list[str]:
    emails = set(
        User.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True).values_list("email", flat=True)
    )
    if extra is not None and extra.is_active and extra.partner_id == partner.pk:
        emails.add(extra.email)
    return sorted(emails)


def email_partner(*, partner: Partner, compose: Callable[[], tuple[str, str]], also: User | None = None) -> None:
    """Send after commit; `compose` runs under the partner's language so gettext picks the right catalogue."""
    recipients = partner_admin_emails(partner, extra=also)
    if not recipients:
        return
    with translation.override(partner_language(partner)):
        subject, body = compose()
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    )
