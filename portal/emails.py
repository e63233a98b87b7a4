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
from django.db.models import Q
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


def partner_language(partner: Partner | None) -> str:
    """The default language of a partner's people: Japanese for partners in the Japan region, else English."""
    return "ja" if partner is not None and partner.region == Region.JAPAN else "en"


def language_for(user: User, *, partner: Partner | None = None) -> str:
    """The language a person reads pages and emails in: their choice, else their partner's region's default.

    `partner` saves a query when the caller already holds the user's partner.
    """
    if user.language:
        return user.language
    if partner is None and user.partner_id:
        partner = user.partner
    return partner_language(partner)


def partner_recipients(
    partner: Partner, *, roles: Iterable[str] = PARTNER_ROLES, also: User | None = None, kind: str | None = None
) -> list[User]:
    """Active users of the partner with one of `roles`, plus `also` when they belong to the partner.

    With `kind` (an `EmailKind`), those who turned that email off are left out (one query either way).
    """
    who = Q(role__in=list(roles))
    if also is not None:
        who |= Q(pk=also.pk)
    users = User.objects.filter(who, partner=partner, is_active=True)
    if kind is not None:
        users = users.exclude(email_opt_outs__kind=kind)
    return list(users.only("email", "language", "partner_id").order_by("email"))


def send_in_language(
    recipients: Iterable[tuple[str, str]], compose: Callable[[], EmailContent | tuple[str, str]]
) -> int:
    """Queue one message per (email, language) recipient, composing once per language."""
    by_language: dict[str, list[str]] = {}
    for email, language in recipients:
        by_language.setdefault(language, []).append(email)
    messages = []
    for language, emails in sorted(by_language.items()):
        with translation.override(language):
            content = compose()
            if not isinstance(content, EmailContent):
                content = render_plain_email(*content)
        for email in emails:
            message = EmailMultiAlternatives(content.subject, content.text, None, [email])
            message.attach_alternative(content.html, "text/html")
            messages.append(message)
    return get_connection().send_messages(messages) if messages else 0


def email_partner(
    *,
    partner: Partner,
    compose: Callable[[], EmailContent | tuple[str, str]],
    roles: Iterable[str] = ORG_ADMINS,
    also: User | None = None,
    kind: str | None = None,
) -> int:
    """Queue one message per recipient, each in the recipient's language, in the current transaction.

    `kind` (an `EmailKind`) names an email people may turn off on their account page; without
    it the message is a service email everyone receives. `compose` runs once per language
    under that language so gettext picks the right catalogue; it returns an `EmailContent`
    (from `render_email`) or a plain `(subject, body)`. Returns how many messages were queued.
    """
    users = partner_recipients(partner, roles=frozenset(roles), also=also, kind=kind)
    return send_in_language(((user.email, language_for(user, partner=partner)) for user in users), compose)
