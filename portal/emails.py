"""Emails to a partner's people, shared by every feature app."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation

from portal.models import PARTNER_ROLES, Partner, Region, Role, User

ORG_ADMINS = frozenset({Role.PARTNER_ADMIN})


def partner_language(partner: Partner) -> str:
    """Users carry no language preference yet: Japanese for partners in the Japan region, else English."""
    return "ja" if partner.region == Region.JAPAN else "en"


def partner_recipients(
    partner: Partner, *, roles: Iterable[str] = PARTNER_ROLES, also: User | None = None
) -> list[str]:
    """Active users of the partner with one of `roles`, plus `also` when they belong to the partner."""
    emails = set(
        User.objects.filter(partner=partner, role__in=list(roles), is_active=True).values_list("email", flat=True)
    )
    if also is not None and also.is_active and also.partner_id == partner.pk:
        emails.add(also.email)
    return sorted(emails)


def email_partner(
    *,
    partner: Partner,
    compose: Callable[[], tuple[str, str]],
    roles: Iterable[str] = ORG_ADMINS,
    also: User | None = None,
) -> None:
    """After commit, send one message per recipient, composed in the partner's language.

    `compose` runs under that language so gettext picks the right catalogue; a
    rolled-back decision therefore never sends an email.
    """
    roles = frozenset(roles)

    def send() -> None:
        recipients = partner_recipients(partner, roles=roles, also=also)
        if not recipients:
            return
        with translation.override(partner_language(partner)):
            subject, body = compose()
        send_mass_mail([(subject, body, None, [email]) for email in recipients], fail_silently=False)

    transaction.on_commit(send)
