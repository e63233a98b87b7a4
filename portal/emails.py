"""Emails to a partner's people, shared by every feature app.

Messages are rendered from templates in the partner's language — `<name>_subject.txt`,
`<name>.txt` and `<name>.html`, each body extending `email/base.txt` / `email/base.html` —
and stored in the email outbox in the caller's transaction (`portal.mail.OutboxBackend`):
a rolled-back decision leaves no message, a committed one is sent by a worker, with retries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import PARTNER_ROLES, Partner, Region, Role, User

ORG_ADMINS = frozenset({Role.PARTNER_ADMIN})


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def render_email(name: str, context: Mapping[str, object] | None = None) -> EmailContent:
    """Render the three templates of message `name` in the active language."""
    context = {"portal_url": settings.PORTAL_URL, **(context or {})}
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    return EmailContent(
        subject=subject,
        text=render_to_string(f"{name}.txt", {**context, "subject": subject}).strip() + "\n",
        html=render_to_string(f"{name}.html", {**context, "subject": subject}),
    )


def render_plain_email(subject: str, body: str) -> EmailContent:
    """A message composed as plain text, wrapped in the base templates (greeting, footer, HTML)."""
    return render_email("email/message", {"message_subject": subject, "paragraphs": body.split("\n\n")})


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
    compose: Callable[[], EmailContent | tuple[str, str]],
    roles: Iterable[str] = ORG_ADMINS,
    also: User | None = None,
) -> int:
    """Queue one message per recipient, composed in the partner's language, in the current transaction.

    `compose` runs under that language so gettext picks the right catalogue; it returns an
    `EmailContent` (from `render_email`) or a plain `(subject, body)`. Returns how many
    messages were queued.
    """
    recipients = partner_recipients(partner, roles=frozenset(roles), also=also)
    if not recipients:
        return 0
    with translation.override(partner_language(partner)):
        content = compose()
        if not isinstance(content, EmailContent):
            content = render_plain_email(*content)
    messages = []
    for email in recipients:
        message = EmailMultiAlternatives(content.subject, content.text, None, [email])
        message.attach_alternative(content.html, "text/html")
        messages.append(message)
    return get_connection().send_messages(messages)
