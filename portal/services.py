"""Writes to people, partners and the email outbox."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection, send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.html import strip_tags
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.access import GROUP_NAMES, groups_ensure
from portal.emails import language_for
from portal.errors import Forbidden, PortalError
from portal.models import PARTNER_ROLES, EmailKind, EmailOptOut, EmailStatus, OutgoingEmail, Partner, Role, User
from portal.selectors import is_last_active_partner_admin

logger = logging.getLogger(__name__)


class MemberChangeRefused(PortalError):
    """An org admin's change to a colleague that the rules refuse (their own login, the last org admin)."""


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    password: str | None,
    partner: Partner | None = None,
    book: Iterable[Partner] = (),
    full_name: str = "",
    groups: Iterable[str] = (),
) -> User:
    """Create a login with its role.

    1. Validate email, role, the role's partner link and the staff groups (duties).
    2. Create the user (staff get Django staff status; rights come only from the groups).
    3. For a CAM or CC, assign the partners of their book.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(_("'%(email)s' is not a valid email address") % {"email": email}) from exc
    if role not in Role.values:
        raise ValidationError(
            _("unknown role '%(role)s'; expected one of %(roles)s") % {"role": role, "roles": ", ".join(Role.values)}
        )
    if role in PARTNER_ROLES and partner is None:
        raise ValidationError(_("role '%(role)s' needs a partner") % {"role": role})
    if role not in PARTNER_ROLES and partner is not None:
        raise ValidationError(_("role '%(role)s' cannot belong to a partner") % {"role": role})
    book = list(book)
    if book and role not in {Role.CAM, Role.CC}:
        raise ValidationError(_("only a CAM or CC is assigned a book of partners, not '%(role)s'") % {"role": role})
    groups = list(dict.fromkeys(groups))
    if groups and role != Role.STAFF:
        raise ValidationError(_("only staff are put in groups, not '%(role)s'") % {"role": role})
    unknown = [name for name in groups if name not in GROUP_NAMES]
    if unknown:
        raise ValidationError(
            _("unknown group(s) %(unknown)s; expected one of %(groups)s")
            % {"unknown": ", ".join(unknown), "groups": ", ".join(GROUP_NAMES)}
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("a user with email '%(email)s' already exists") % {"email": email})
    user = User.objects.create_user(
        email,
        password,
        role=role,
        partner=partner,
        full_name=full_name,
        is_staff=role == Role.STAFF,
    )
    if groups:
        groups_ensure()
        user.groups.set(Group.objects.filter(name__in=groups))
    if book:
        field = "cam" if role == Role.CAM else "cc"
        Partner.objects.filter(pk__in=[p.pk for p in book]).update(**{field: user})
    if password is None:
        user_set_password_email_send(user=user)
    return user


def set_password_url(user: User) -> str:
    """An absolute link to Django's set-password page for `user` (valid PASSWORD_RESET_TIMEOUT seconds)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def user_set_password_email_send(*, user: User) -> None:
    """After commit, email `user` a link to choose a password.

    Django's "forgot password" form skips users whose password is unusable, which every
    invited colleague and every `create_user` without `--password` has; this link works for them.
    """

    def send() -> None:
        fresh = User.objects.select_related("partner").get(pk=user.pk)
        language = language_for(fresh)
        days = settings.PASSWORD_RESET_TIMEOUT // 86400
        with translation.override(language):
            subject = _("Your partner portal login: choose a password")
            body = _(
                "A login to the partner portal was created for %(email)s.\n\n"
                "Choose your password here (the link works once, for %(days)s days):\n%(url)s\n\n"
                "If the link has expired, use “Forgot your password?” on the login page."
            ) % {"email": fresh.email, "days": days, "url": set_password_url(fresh)}
        send_mail(subject, body, None, [fresh.email], fail_silently=False)

    transaction.on_commit(send)


@transaction.atomic
def partner_member_invite(*, partner: Partner, email: str, full_name: str, role: str, acting_user: User) -> User | None:
    """An org admin adds a colleague, who receives a set-password link by email.

    An address that already has a login (here or anywhere else) creates nothing and
    returns None; the caller answers exactly as for a new invitation, so the form never
    tells an org admin which addresses exist in the portal.
    """
    if not (acting_user.is_partner_admin and acting_user.partner_id == partner.pk):
        raise Forbidden(_("Only this partner's org admins manage its users."))
    if role not in PARTNER_ROLES:
        raise ValidationError(_("role must be one of %(roles)s") % {"roles": ", ".join(sorted(PARTNER_ROLES))})
    if User.objects.filter(email__iexact=email.strip()).exists():
        return None
    return user_create(email=email, role=role, password=None, partner=partner, full_name=full_name)


@transaction.atomic
def user_preferences_set(
    *, user: User, language: str, waiting_emails: str | None = None, emails: Iterable[str] | None = None
) -> User:
    """A person chooses their language, how they hear of waiting decisions, and (partner users) their emails.

    1. Lock the user row; store language and waiting-decision choice (history records the change).
    2. `emails`: the kinds they still receive; every other kind becomes an opt-out row.
    `None` leaves that choice as it is.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    fields = []
    if locked.language != language:
        locked.language = language
        fields.append("language")
    if waiting_emails is not None and locked.waiting_emails != waiting_emails:
        locked.waiting_emails = waiting_emails
        fields.append("waiting_emails")
    if fields:
        locked.save(update_fields=fields)
    if emails is not None:
        off = set(EmailKind.values) - set(emails)
        EmailOptOut.objects.filter(user=locked).exclude(kind__in=off).delete()
        EmailOptOut.objects.bulk_create(
            [EmailOptOut(user=locked, kind=kind) for kind in sorted(off)], ignore_conflicts=True
        )
    return locked


def _lock_for_member_change(*, member: User, acting_user: User) -> tuple[User, User]:
    """Lock the partner row, then re-read both people as they are now (another admin may have just changed them)."""
    if not (acting_user.is_partner_admin and acting_user.partner_id == member.partner_id):
        raise Forbidden(_("Only this partner's org admins manage its users."))
    Partner.objects.select_for_update().filter(pk=member.partner_id).first()
    fresh = {u.pk: u for u in User.objects.filter(pk__in=[member.pk, acting_user.pk])}
    actor = fresh[acting_user.pk]
    if not (actor.is_active and actor.is_partner_admin and actor.partner_id == member.partner_id):
        raise Forbidden(_("Only this partner's active org admins manage its users."))
    return fresh[member.pk], actor


def last_admin_message(email: str) -> str:
    return _("%(email)s is the last active org admin: make someone else an org admin first.") % {"email": email}


def _refuse_if_last_admin(member: User) -> None:
    if is_last_active_partner_admin(member):
        raise MemberChangeRefused(last_admin_message(member.email))


def user_credentials_revoke(*, user: User) -> None:
    """End every session and API token `user` has now, for good (a later reactivation brings none back)."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(credentials_revoked_at=now)
    user.credentials_revoked_at = now


@transaction.atomic
def partner_member_set_active(*, member: User, active: bool, acting_user: User) -> User:
    """Deactivate or reactivate a colleague.

    1. Lock the partner row (two admins deactivating each other at once run one after the other).
    2. Refuse the acting admin's own login and the last active org admin.
    3. On deactivation end the member's sessions and API tokens for good.
    """
    locked, _actor = _lock_for_member_change(member=member, acting_user=acting_user)
    if locked.pk == acting_user.pk:
        raise MemberChangeRefused(_("You cannot deactivate your own login."))
    if locked.is_active == active:
        member.is_active = active
        return member
    if not active:
        _refuse_if_last_admin(locked)
        user_credentials_revoke(user=member)
    User.objects.filter(pk=member.pk).update(is_active=active)
    member.is_active = active
    return member


@transaction.atomic
def partner_member_set_role(*, member: User, role: str, acting_user: User) -> User:
    """Make a colleague an org admin or a member; the last active org admin cannot be demoted."""
    if role not in PARTNER_ROLES:
        raise ValidationError(_("role must be one of %(roles)s") % {"roles": ", ".join(sorted(PARTNER_ROLES))})
    locked, _actor = _lock_for_member_change(member=member, acting_user=acting_user)
    if locked.role == role:
        return member
    if role != Role.PARTNER_ADMIN:
        _refuse_if_last_admin(locked)
    User.objects.filter(pk=member.pk).update(role=role)
    member.role = role
    return member


# --- the email outbox ------------------------------------------------------------------------------------------


def outgoing_emails_queue(*, messages: Sequence[EmailMessage]) -> list[OutgoingEmail]:
    """Store messages in the outbox, in the caller's transaction (see `portal.mail.OutboxBackend`).

    Text body plus an optional HTML alternative; attachments are refused rather than dropped.
    """
    rows = []
    for message in messages:
        if not message.recipients():
            continue
        if message.attachments:
            raise ValueError("the email outbox does not carry attachments")
        alternatives = getattr(message, "alternatives", [])
        if any(mimetype != "text/html" for _content, mimetype in alternatives):
            raise ValueError("the email outbox carries only a text body and an HTML alternative")
        body, html = str(message.body), next((str(content) for content, _mimetype in alternatives), "")
        if message.content_subtype == "html":
            body, html = strip_tags(body), body
        rows.append(
            OutgoingEmail(
                from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                to=list(message.to),
                cc=list(message.cc),
                bcc=list(message.bcc),
                reply_to=list(message.reply_to),
                headers=dict(message.extra_headers),
                subject=str(message.subject),
                body=body,
                html_body=html,
            )
        )
    return OutgoingEmail.objects.bulk_create(rows)


def outbox_backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, capped."""
    seconds = settings.EMAIL_OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.EMAIL_OUTBOX_BACKOFF_MAX_SECONDS))


class _UnreachableTransport:
    """Stands in for a transport that could not even connect, so each due message records the error."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        raise self.error

    def close(self) -> None:
        pass


def outgoing_email_deliver(*, email_id: int, transport=None) -> str | None:
    """Send one due message and record the outcome; the new status, or None when it was not due.

    1. Lock the row if it is queued and due; skip it when another worker holds it.
    2. Send it through the transport (`EMAIL_TRANSPORT_BACKEND`, SMTP in production).
    3. Accepted → `sent` (the body is then cleared). Any error → one more attempt counted, the error kept, the next
       attempt after the backoff; after `EMAIL_OUTBOX_MAX_ATTEMPTS` → `failed` (staff retry).
    The lock is held while sending, so two workers never send the same message; a worker
    killed mid-send leaves it queued, to be sent again (at least once, never lost).
    """
    from portal.mail import as_message

    now = timezone.now()
    with transaction.atomic():
        row = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=EmailStatus.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if row is None:
            return None
        row.attempts += 1
        row.last_attempt_at = now
        transport = transport or get_connection(settings.EMAIL_TRANSPORT_BACKEND, fail_silently=False)
        try:
            if transport.send_messages([as_message(row)]) != 1:
                raise RuntimeError("the mail transport did not accept the message")
        except Exception as exc:
            _record_failure(row, exc, now=now)
            transport.close()  # a broken connection is reopened for the next message
        else:
            row.status, row.sent_at, row.last_error = EmailStatus.SENT, timezone.now(), ""
            # Once sent, keep who got what subject when, not the text: bodies carry password-reset
            # links and personal details nobody needs to read again from here.
            row.body = row.html_body = ""
        row.save(
            update_fields=[
                "status",
                "attempts",
                "last_attempt_at",
                "next_attempt_at",
                "last_error",
                "sent_at",
                "body",
                "html_body",
            ]
        )
        return row.status


def _record_failure(row: OutgoingEmail, exc: Exception, *, now: dt.datetime) -> None:
    row.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
    if row.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
        row.status = EmailStatus.FAILED
        logger.error("outbox: email %s failed after %s attempts: %s", row.pk, row.attempts, row.last_error)
    else:
        row.next_attempt_at = now + outbox_backoff(row.attempts)
        logger.warning(
            "outbox: email %s attempt %s failed (%s); next attempt at %s",
            row.pk,
            row.attempts,
            row.last_error,
            row.next_attempt_at.isoformat(),
        )


def outgoing_emails_flush(*, ids: Iterable[int] | None = None) -> dict[str, int]:
    """Send every due message (or the due ones among `ids`) over one transport connection.

    Without `ids` (the periodic flush) sent messages older than `EMAIL_OUTBOX_KEEP_SENT_DAYS`
    are deleted too. Returns how many were sent, will be retried, failed for good.
    """
    due = OutgoingEmail.objects.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=timezone.now())
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    if pks:
        transport = get_connection(settings.EMAIL_TRANSPORT_BACKEND, fail_silently=False)
        try:
            transport.open()
        except Exception as exc:  # e.g. SMTP unreachable: one failed attempt for each due message
            transport = _UnreachableTransport(exc)
        try:
            for pk in pks:
                status = outgoing_email_deliver(email_id=pk, transport=transport)
                if status is not None:
                    counts["retrying" if status == EmailStatus.QUEUED else status] += 1
        finally:
            transport.close()
    if ids is None:
        cutoff = timezone.now() - dt.timedelta(days=settings.EMAIL_OUTBOX_KEEP_SENT_DAYS)
        OutgoingEmail.objects.filter(status=EmailStatus.SENT, sent_at__lt=cutoff).delete()
    return counts


@transaction.atomic
def outgoing_emails_retry(*, ids: Iterable[int], acting_user: User) -> int:
    """Staff send failed (or waiting) messages again now, with a fresh set of attempts."""
    from portal.mail import enqueue_delivery

    ids = list(ids)
    updated = OutgoingEmail.objects.filter(pk__in=ids, status__in=[EmailStatus.FAILED, EmailStatus.QUEUED]).update(
        status=EmailStatus.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    logger.info("outbox: %s queued %s email(s) again", acting_user.email, updated)
    transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
    return updated
