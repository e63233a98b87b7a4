"""Writes of verified client reviews: invitations, the client's review, moderation, the partner's reply,
and the Global Partner of the Year thresholds. Atomic, one owner per status column, audited.

A review can only come through an invitation: a partner's own person invites a client contact
whose email is on one of the partner's customer domains; the client follows a one-time link
(only its SHA-256 is stored) and writes the review; staff publish or reject it; the partner may
answer a published review once, in public.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.caching import directory_cache_bump
from directory.models import AuditEntry, AwardSettings, PartnerProfile, Review, ReviewInvitation, ReviewStatus
from directory.services import profile_ratings_refresh
from portal.access import acting_user_require
from portal.domains import InvalidDomain, normalise_domain, normalise_hostname
from portal.emails import email_partner, render_email, send_in_language
from portal.errors import PortalError
from portal.models import PARTNER_ROLES, EmailKind, Partner, User
from portal.months import add_months
from portal.notifications import waiting_notify
from registrations.selectors import partner_has_registered_domain
from tiers.selectors import partner_has_customer_domain

MODERATE_REVIEWS = "directory.moderate_review"
CHANGE_AWARD_SETTINGS = "directory.change_awardsettings"

INVITATION_VALID_DAYS = 30
REVIEW_INTERVAL_DAYS = 365  # one review per client contact per partner in any 12 months
CUSTOMER_MONTHS = 24  # MRR in this many months (the current one included) makes a customer domain
INVITES_PER_PARTNER_PER_DAY = 20
INVITES_PER_USER_PER_HOUR = 5
REVIEW_LANGUAGES = ("en", "ja")

Subject = AuditEntry.Subject
audit = AuditEntry.log


class ReviewError(PortalError):
    """A review rule said no. The message is shown to the person as is."""

    code = "review_refused"


def token_fingerprint(raw: str) -> str:
    """What the database keeps of a review link: the SHA-256 of its token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def review_link(raw: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("directory:review-write", args=[raw])


# --- invitations ------------------------------------------------------------------------------------------


def _email_domains(email: str) -> list[str]:
    """The email's host and its registrable parent (`mail.client.co.uk`, `client.co.uk`)."""
    local, _at, host = email.rpartition("@")
    if not local or not host:
        raise ReviewError(_("Enter the client's email address."), field="email")
    try:
        return list(dict.fromkeys([normalise_hostname(host), normalise_domain(host)]))
    except InvalidDomain as exc:
        raise ReviewError(str(exc.reason), field="email") from exc


def _own_domains(partner: Partner) -> set[str]:
    """The registrable domains of the partner's people's logins and of its directory website."""
    addresses = list(User.objects.filter(partner=partner).values_list("email", flat=True))
    website = PartnerProfile.objects.filter(partner=partner).values_list("website", flat=True).first()
    own = set()
    for host in [a.rpartition("@")[2] for a in addresses] + ([website] if website else []):
        try:
            own.add(normalise_domain(host))
        except InvalidDomain:
            continue
    return own


def _limits_check(partner: Partner, actor: User, now: dt.datetime) -> None:
    sent = ReviewInvitation.objects.filter(partner=partner)
    if sent.filter(created_at__gt=now - dt.timedelta(days=1)).count() >= INVITES_PER_PARTNER_PER_DAY:
        raise ReviewError(
            _("Your organisation has sent %(limit)d review invitations in the last 24 hours, the most allowed.")
            % {"limit": INVITES_PER_PARTNER_PER_DAY},
            code="rate_limited",
        )
    if sent.filter(invited_by=actor, created_at__gt=now - dt.timedelta(hours=1)).count() >= INVITES_PER_USER_PER_HOUR:
        raise ReviewError(
            _("You have sent %(limit)d review invitations in the last hour, the most allowed. Try again later.")
            % {"limit": INVITES_PER_USER_PER_HOUR},
            code="rate_limited",
        )


def _contact_check(partner: Partner, email: str, domains: list[str], now: dt.datetime) -> str:
    """The customer domain the contact is verified by, or the refusal (self-review, not a customer, too soon)."""
    if set(domains) & _own_domains(partner):
        raise ReviewError(
            _("%(domain)s is your organisation's own domain: reviews come from clients, not from your people.")
            % {"domain": domains[-1]},
            field="email",
        )
    since = add_months(now.date(), -(CUSTOMER_MONTHS - 1))
    if not (
        partner_has_customer_domain(partner=partner, domains=domains, since=since)
        or partner_has_registered_domain(partner=partner, domains=domains)
    ):
        raise ReviewError(
            _(
                "%(domain)s is not one of your customer domains: invite clients you reported MRR for in the "
                "last 24 months or whose domain registration is approved."
            )
            % {"domain": domains[-1]},
            field="email",
        )
    if Review.objects.filter(
        partner=partner, reviewer_email=email, submitted_at__gt=now - dt.timedelta(days=REVIEW_INTERVAL_DAYS)
    ).exists():
        raise ReviewError(
            _("This client reviewed you in the last 12 months; one review a year is allowed."), field="email"
        )
    if ReviewInvitation.objects.filter(partner=partner, email=email, used_at__isnull=True, expires_at__gt=now).exists():
        raise ReviewError(_("This client already has an open invitation from you."), field="email")
    return domains[-1]


@transaction.atomic
def review_invite(
    *, actor: User, email: str, contact_name: str, language: str, now: dt.datetime | None = None
) -> tuple[ReviewInvitation, str]:
    """Invite a client contact to review the actor's organisation; returns the invitation and its raw token.

    1. Only a partner's own people (admins and members) invite, for their own organisation.
    2. The partner row is locked, so the daily and hourly limits and "one open invitation per
       contact" hold when two invitations are sent at once.
    3. The contact must be a client: email on a customer domain (MRR in the last 24 months or an
       approved registration), not the partner's own, no review from them in 12 months.
    4. The raw token goes only into the email; the row keeps its SHA-256.
    """
    if not (actor.is_authenticated and actor.is_active and actor.is_partner_user and actor.partner_id):
        raise ReviewError(_("Only a partner's own people can invite client reviews."), code="forbidden")
    now = now or timezone.now()
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    email, contact_name = email.strip().lower(), contact_name.strip()
    if not contact_name:
        raise ReviewError(_("Enter the client's name."), field="contact_name")
    domains = _email_domains(email)
    _limits_check(partner, actor, now)
    customer_domain = _contact_check(partner, email, domains, now)
    raw = secrets.token_urlsafe(32)
    invitation = ReviewInvitation.objects.create(
        partner=partner,
        email=email,
        contact_name=contact_name,
        customer_domain=customer_domain,
        language=language if language in REVIEW_LANGUAGES else "en",
        token_hash=token_fingerprint(raw),
        invited_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_VALID_DAYS),
    )
    audit(Subject.REVIEW_INVITATION, invitation, new="sent", actor=actor, partner=partner)
    send_in_language(
        [(email, invitation.language)],
        lambda: render_email(
            "directory/reviews/email/invitation",
            {"invitation": invitation, "partner": partner, "link": review_link(raw)},
        ),
    )
    return invitation, raw


# --- the client's review -----------------------------------------------------------------------------------


class ReviewLinkError(ReviewError):
    """The link is unknown, used or expired: the page says so and shows no form."""


def invitation_for_token(raw: str, *, now: dt.datetime | None = None, lock: bool = False) -> ReviewInvitation:
    """The invitation behind a link, refusing an unknown, used or expired one."""
    now = now or timezone.now()
    invitations = ReviewInvitation.objects.select_related("partner")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=token_fingerprint(raw)).first()
    if invitation is None:
        raise ReviewLinkError(
            _("This review link is not valid. Check that you copied the whole link."), code="link_unknown"
        )
    if invitation.used_at is not None:
        raise ReviewLinkError(_("This review link has been used. Thank you for your review."), code="link_used")
    if invitation.expires_at <= now:
        raise ReviewLinkError(
            _("This review link expired. Ask %(partner)s for a new one.") % {"partner": invitation.partner.name},
            code="link_expired",
        )
    return invitation


@transaction.atomic
def review_submit(
    *,
    raw_token: str,
    rating: int,
    title: str,
    body: str,
    reviewer_name: str,
    reviewer_title: str = "",
    consent: bool,
    language: str,
    now: dt.datetime | None = None,
) -> Review:
    """The client's review through their one-time link: it waits for moderation; the link is spent.

    The invitation row is locked and marked used in the same transaction, so a double submit
    makes one review; the second sees a used link.
    """
    now = now or timezone.now()
    invitation = invitation_for_token(raw_token, now=now, lock=True)
    if not consent:
        raise ReviewError(_("Tick the box to agree that your review is published."), field="consent")
    if rating not in range(1, 6):
        raise ReviewError(_("Choose a rating from 1 to 5 stars."), field="rating")
    if Review.objects.filter(
        partner=invitation.partner,
        reviewer_email=invitation.email,
        submitted_at__gt=now - dt.timedelta(days=REVIEW_INTERVAL_DAYS),
    ).exists():
        raise ReviewLinkError(_("You reviewed this partner in the last 12 months; one review a year is allowed."))
    ReviewInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
    review = Review.objects.create(
        partner=invitation.partner,
        invitation=invitation,
        reviewer_name=reviewer_name.strip() or invitation.contact_name,
        reviewer_title=reviewer_title.strip(),
        reviewer_email=invitation.email,
        customer_domain=invitation.customer_domain,
        rating=rating,
        title=title.strip(),
        body=body.strip(),
        language=language if language in REVIEW_LANGUAGES else invitation.language,
        submitted_at=now,
    )
    audit(Subject.REVIEW, review, new=ReviewStatus.PENDING, partner=invitation.partner)
    waiting_notify(source="client-reviews", pk=review.pk)
    return review


# --- moderation and the reply ------------------------------------------------------------------------------


def _moderate(review: Review, *, to_status: str, actor: User, reason: str, now: dt.datetime) -> Review:
    acting_user_require(actor, MODERATE_REVIEWS)
    changed = Review.objects.filter(pk=review.pk, status=ReviewStatus.PENDING).update(
        status=to_status, moderated_at=now, moderated_by=actor, rejection_reason=reason
    )
    if not changed:
        raise ReviewError(_("This review has already been moderated."), code="conflict")
    review.refresh_from_db()
    audit(Subject.REVIEW, review, old=ReviewStatus.PENDING, new=to_status, actor=actor, reason=reason)
    if to_status == ReviewStatus.PUBLISHED:  # the partner's public profile and the rating sort change
        profile_ratings_refresh(partner_ids=[review.partner_id])
        transaction.on_commit(directory_cache_bump, robust=True)
    email_partner(
        partner=review.partner,
        compose=lambda: render_email("directory/reviews/email/moderated", {"review": review}),
        kind=EmailKind.PROGRAMME_DECISIONS,
        roles=PARTNER_ROLES,
    )
    return review


@transaction.atomic
def review_publish(*, review: Review, actor: User, now: dt.datetime | None = None) -> Review:
    """Staff publish a waiting review (conditional update: a double click publishes once)."""
    return _moderate(review, to_status=ReviewStatus.PUBLISHED, actor=actor, reason="", now=now or timezone.now())


@transaction.atomic
def review_reject(*, review: Review, actor: User, reason: str, now: dt.datetime | None = None) -> Review:
    """Staff reject a waiting review with a reason the partner reads."""
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Give a reason when you reject a review."), field="reason")
    return _moderate(review, to_status=ReviewStatus.REJECTED, actor=actor, reason=reason, now=now or timezone.now())


@transaction.atomic
def review_reply(*, review: Review, actor: User, text: str, now: dt.datetime | None = None) -> Review:
    """The partner's one public answer to a published review, written by one of its org admins."""
    if not (actor.is_authenticated and actor.is_partner_admin and actor.partner_id == review.partner_id):
        raise ReviewError(_("Only your organisation's admins can reply to a review."), code="forbidden")
    text = text.strip()
    if not text:
        raise ReviewError(_("Write your reply."), field="reply")
    changed = Review.objects.filter(pk=review.pk, status=ReviewStatus.PUBLISHED, replied_at__isnull=True).update(
        reply=text, replied_at=now or timezone.now(), replied_by=actor
    )
    if not changed:
        raise ReviewError(_("You can reply once, to a published review."), code="conflict")
    review.refresh_from_db()
    audit(Subject.REVIEW, review, old="", new="replied", actor=actor, reason=text)
    transaction.on_commit(directory_cache_bump, robust=True)
    return review


# --- Global Partner of the Year thresholds -----------------------------------------------------------------

AWARD_FIELDS = (
    "min_revenue_retention",
    "min_customer_revenue_retention",
    "min_review_rating",
    "min_review_count",
    "min_mrr_usd",
)


@transaction.atomic
def award_settings_update(*, actor: User | None, values: dict[str, Decimal | int], reason: str = "") -> AwardSettings:
    """Change the thresholds (one row, locked); the audit row names each changed figure before and after."""
    acting_user_require(actor, CHANGE_AWARD_SETTINGS)
    AwardSettings.get()
    row = AwardSettings.objects.select_for_update().get(pk=1)
    changed = {name: (getattr(row, name), values[name]) for name in AWARD_FIELDS if getattr(row, name) != values[name]}
    if not changed:
        return row
    for name, (_old, new) in changed.items():
        setattr(row, name, new)
    row.save(update_fields=[*changed, "updated_at"])
    # The audit row's states are short codes: each figure before and after goes in its reason.
    figures = "; ".join(f"{name}: {old} → {new}" for name, (old, new) in changed.items())
    audit(Subject.AWARD_SETTINGS, row, old="", new="changed", actor=actor, reason=f"{figures}. {reason}".strip(". "))
    return row
