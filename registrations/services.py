"""Writes to domain and deal registrations (SPEC §4). Each function is atomic and writes its audit row.

Status columns change only here, through a row lock or a conditional update,
so a double click, a retried task and a beat job cannot race each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.emails import EmailContent, email_partner, render_email
from portal.errors import PortalError
from portal.formats import check_minor_units, domain_unicode
from portal.locks import advisory_xact_lock
from portal.models import PARTNER_ROLES, EmailKind, Industry, Partner, User
from portal.months import add_months
from portal.notifications import waiting_notify
from registrations.domains import InvalidDomain, normalise_domain
from registrations.models import (
    LIVE_STATUSES,
    CommissionHold,
    Currency,
    Deal,
    DealEvent,
    DealNote,
    DealStage,
    DealStatus,
    DomainRegistration,
    Product,
    RegistrationConfig,
    RegistrationEvent,
    RegistrationStatus,
)
from registrations.selectors import partners_with_live_counts, registration_cap


class RegistrationError(PortalError):
    """A refused registration or deal request; `code` is the API error code, the message is for people."""

    code = "bad_request"


class CapReached(RegistrationError):
    code = "cap_reached"


class DomainTaken(RegistrationError):
    code = "domain_taken"


class InvalidDomainError(RegistrationError):
    code = "invalid_domain"


class ExtensionNotAllowed(RegistrationError):
    code = "extension_not_allowed"


class NotLive(RegistrationError):
    code = "bad_request"


class StaleSelection(NotLive):
    """Some chosen registrations stopped being live since the page was shown; the message names them."""

    def __init__(self, rows: Iterable[DomainRegistration]) -> None:
        names = ", ".join(domain_unicode(row.domain) for row in rows) or "—"
        super().__init__(
            _("No longer live, so nothing was released: %(domains)s. Review the proposal again.") % {"domains": names}
        )


JOB_EXPIRE = "expire_registrations"
COMPLIANCE_LOCK = "registrations:compliance"


# --- helpers -----------------------------------------------------------------


def _event(
    registration: DomainRegistration, *, to: str, frm: str = "", actor: User | None = None, job: str = "", reason=""
) -> RegistrationEvent:
    return RegistrationEvent(
        registration=registration,
        at=timezone.now(),
        actor=actor,
        job=job,
        from_status=frm,
        to_status=to,
        reason=str(reason),
    )


def _lock_partner(partner: Partner) -> Partner:
    """Serialise every cap decision of one partner on its row (race-free counting).

    FOR NO KEY UPDATE, the weakest lock that serialises two cap decisions: it
    conflicts with itself but not with the FOR KEY SHARE the MRR importer holds
    on the partners of its file, so a submit never waits for an import.
    """
    return Partner.objects.select_for_update(no_key=True).get(pk=partner.pk)


def _live_count(partner: Partner) -> int:
    return DomainRegistration.objects.filter(partner=partner, status__in=LIVE_STATUSES).count()


def _check_under_cap(partner: Partner, *, config: RegistrationConfig, on: dt.date) -> None:
    cap = registration_cap(partner=partner, on=on, config=config)
    if cap is not None and _live_count(partner) >= cap:
        raise CapReached(
            _("Your organisation is at its registration cap (%(cap)s): release a domain first.") % {"cap": cap}
        )


def _require_partner_user(user: User, partner: Partner) -> None:
    if not (user.is_active and user.role in PARTNER_ROLES and user.partner_id == partner.pk):
        raise PermissionDenied("only this partner's users act on its registrations")


def _require_cam_of(user: User, partner: Partner) -> None:
    if not (user.is_active and user.is_cam and partner.cam_id == user.pk):
        raise PermissionDenied("only the partner's CAM decides on its registrations")


# --- domain registrations ----------------------------------------------------


@transaction.atomic
def registration_submit(
    *,
    partner: Partner,
    domain: str,
    acting_user: User,
    company_name: str = "",
    country: str = "",
    industry: str = "",
) -> DomainRegistration:
    """A partner claims a domain.

    1. Normalise the domain (invalid → InvalidDomainError with the reason).
    2. Lock the partner row, count its live registrations: at or over the cap → CapReached.
    3. A live registration of the domain (anyone's) → DomainTaken, never naming the holder.
    4. Create it pending, with its first audit row.
    """
    _require_partner_user(acting_user, partner)
    if industry and industry not in Industry.values:
        raise RegistrationError(_("Choose an industry from the list."), field="industry")
    try:
        normalised = normalise_domain(domain)
    except InvalidDomain as exc:
        raise InvalidDomainError(str(exc.reason)) from exc
    config = RegistrationConfig.get()
    partner = _lock_partner(partner)
    _check_under_cap(partner, config=config, on=timezone.localdate())
    holder = (
        DomainRegistration.objects.filter(domain=normalised, status__in=LIVE_STATUSES)
        .values_list("partner_id", flat=True)
        .first()
    )
    if holder is not None:
        raise _taken(normalised, mine=holder == partner.pk)
    try:
        with transaction.atomic():
            registration = DomainRegistration.objects.create(
                partner=partner,
                domain=normalised,
                company_name=company_name.strip()[:200],
                country=(country or "").strip().upper()[:2],
                industry=industry or "",
                submitted_at=timezone.now(),
                submitted_by=acting_user,
            )
    except IntegrityError as exc:
        # Another partner's submission of the same domain committed between our check and insert.
        raise _taken(normalised, mine=False) from exc
    _event(registration, to=RegistrationStatus.PENDING, actor=acting_user, reason="submitted").save()
    waiting_notify(source="domain-registrations", pk=registration.pk)
    return registration


def _taken(domain: str, *, mine: bool) -> DomainTaken:
    if mine:
        return DomainTaken(_("%(domain)s is already registered by your organisation.") % {"domain": domain})
    return DomainTaken(_("%(domain)s is unavailable — held by another partner.") % {"domain": domain})


def _locked_registration(registration: DomainRegistration) -> DomainRegistration:
    return DomainRegistration.objects.select_for_update().select_related("partner").get(pk=registration.pk)


@transaction.atomic
def registration_extend(*, registration: DomainRegistration, acting_user: User) -> DomainRegistration:
    """Extend a registered domain once (config) by the extension period, only while under the cap."""
    _require_partner_user(acting_user, registration.partner)
    config = RegistrationConfig.get()
    partner = _lock_partner(registration.partner)
    registration = _locked_registration(registration)
    if registration.status != RegistrationStatus.REGISTERED or registration.expires_on is None:
        raise ExtensionNotAllowed(_("Only a registered domain can be extended."))
    if registration.extension_count >= config.max_extensions:
        raise ExtensionNotAllowed(_("This registration has already been extended the maximum number of times."))
    _check_under_cap(partner, config=config, on=timezone.localdate())
    registration.expires_on = add_months(registration.expires_on, config.extension_months)
    registration.extension_count += 1
    registration.save(update_fields=["expires_on", "extension_count"])
    reason = f"extended until {registration.expires_on.isoformat()}"
    _event(registration, frm=registration.status, to=registration.status, actor=acting_user, reason=reason).save()
    return registration


@transaction.atomic
def registration_release(*, registration: DomainRegistration, acting_user: User) -> DomainRegistration:
    """The partner gives a live domain up (no more commission eligibility for it). Idempotent."""
    return registrations_release(partner=registration.partner, ids=[registration.pk], acting_user=acting_user)[0]


@transaction.atomic
def registrations_release(*, partner: Partner, ids: Iterable[int], acting_user: User) -> list[DomainRegistration]:
    """Release several of one partner's live domains at once; each gets its audit row."""
    _require_partner_user(acting_user, partner)
    rows = list(DomainRegistration.objects.select_for_update().filter(partner=partner, pk__in=list(ids)).order_by("pk"))
    if any(row.status not in (*LIVE_STATUSES, RegistrationStatus.RELEASED) for row in rows):
        raise NotLive(_("Only a pending or registered domain can be released."))
    events = []
    for row in rows:
        if row.status == RegistrationStatus.RELEASED:
            continue
        events.append(
            _event(
                row,
                frm=row.status,
                to=RegistrationStatus.RELEASED,
                actor=acting_user,
                reason="released by the partner",
            )
        )
        row.status = RegistrationStatus.RELEASED
    DomainRegistration.objects.filter(pk__in=[e.registration_id for e in events]).update(
        status=RegistrationStatus.RELEASED
    )
    RegistrationEvent.objects.bulk_create(events)
    return rows


CAP_ASSISTANT_REASON = "released with the cap reduction assistant"
# Programme staff release for a partner with this permission (superusers have it; no duty group hands it out).
RELEASE_FOR_PARTNER = "registrations.change_domainregistration"


def may_release_for(user: User, partner: Partner) -> bool:
    """The partner's own people, its CAM (acting for the book) and programme staff with `RELEASE_FOR_PARTNER`."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role in PARTNER_ROLES:
        return user.partner_id == partner.pk
    if user.is_cam:
        return partner.cam_id == user.pk
    return bool(user.is_programme_staff and user.has_perm(RELEASE_FOR_PARTNER))


@dataclass(frozen=True)
class CapReduction:
    released: list[DomainRegistration]
    live: int
    cap: int | None
    hold_closed: bool


@transaction.atomic
def registrations_cap_reduce(*, partner: Partner, ids: Iterable[int], acting_user: User) -> CapReduction:
    """The cap reduction assistant's one confirmed release.

    1. Lock the partner row (serialises it with submissions, extensions and a second click).
    2. Lock the chosen registrations; any of them no longer live (released, expired, rejected, or not
       this partner's) → NotLive naming the domains, and nothing is released.
    3. Release them with one conditional update and one event each, by the acting person.
    4. Back within the cap → end the open commission hold today (the compliance rule, `_over_cap`).
    """
    if not may_release_for(acting_user, partner):
        raise PermissionDenied("only the partner's people, its CAM or staff release its registrations")
    ids = sorted(set(ids))
    if not ids:
        raise RegistrationError(_("Select the domains to release."))
    partner = _lock_partner(partner)
    rows = list(DomainRegistration.objects.select_for_update().filter(partner=partner, pk__in=ids).order_by("pk"))
    stale = [row for row in rows if row.status not in LIVE_STATUSES]
    if stale or len(rows) != len(ids):
        raise StaleSelection(stale)
    DomainRegistration.objects.filter(pk__in=ids, status__in=LIVE_STATUSES).update(status=RegistrationStatus.RELEASED)
    reason = CAP_ASSISTANT_REASON
    events = [_event(r, frm=r.status, to=RegistrationStatus.RELEASED, actor=acting_user, reason=reason) for r in rows]
    RegistrationEvent.objects.bulk_create(events)
    for row in rows:
        row.status = RegistrationStatus.RELEASED
    today = timezone.localdate()
    cap = registration_cap(partner=partner, on=today)
    live = _live_count(partner)
    hold_closed = False
    if not _over_cap(live, cap):
        advisory_xact_lock(COMPLIANCE_LOCK)  # the daily check waits, then sees the new count
        hold_closed = _holds_close(partner_ids=[partner.pk], on=today) > 0
    return CapReduction(released=rows, live=live, cap=cap, hold_closed=hold_closed)


def _decide(registration: DomainRegistration, *, acting_user: User, to: str, reason: str) -> DomainRegistration:
    _require_cam_of(acting_user, registration.partner)
    registration = _locked_registration(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise NotLive(_("This registration has already been decided."))
    now = timezone.now()
    registration.status = to
    registration.decided_at = now
    registration.decided_by = acting_user
    registration.decision_reason = reason
    fields = ["status", "decided_at", "decided_by", "decision_reason"]
    if to == RegistrationStatus.REGISTERED:
        config = RegistrationConfig.get()
        registration.approved_at = now
        registration.expires_on = add_months(timezone.localdate(), config.validity_months)
        fields += ["approved_at", "expires_on"]
    registration.save(update_fields=fields)
    _event(registration, frm=RegistrationStatus.PENDING, to=to, actor=acting_user, reason=reason).save()
    email_partner(
        partner=registration.partner,
        compose=lambda: _decision_email(registration),
        roles=PARTNER_ROLES,
        kind=EmailKind.REGISTRATION_DECISIONS,
    )
    return registration


def _decision_email(registration: DomainRegistration) -> EmailContent:
    return render_email(
        "registrations/email/registration_decision",
        {"registration": registration, "approved": registration.status == RegistrationStatus.REGISTERED},
    )


@transaction.atomic
def registration_approve(
    *, registration: DomainRegistration, acting_user: User, reason: str = ""
) -> DomainRegistration:
    """The partner's CAM approves: registered for the validity period from today."""
    return _decide(registration, acting_user=acting_user, to=RegistrationStatus.REGISTERED, reason=reason.strip())


@transaction.atomic
def registration_reject(*, registration: DomainRegistration, acting_user: User, reason: str) -> DomainRegistration:
    """The partner's CAM rejects, always with a reason the partner reads."""
    if not (reason or "").strip():
        raise RegistrationError(_("A reason is required to reject a registration."))
    return _decide(registration, acting_user=acting_user, to=RegistrationStatus.REJECTED, reason=reason.strip())


def registrations_approve_bulk(*, registrations: Iterable[DomainRegistration], acting_user: User) -> int:
    """Approve several pending registrations; already decided ones are skipped. Returns how many."""
    approved = 0
    for registration in registrations:
        try:
            registration_approve(registration=registration, acting_user=acting_user)
        except NotLive:
            continue
        approved += 1
    return approved


# --- daily jobs ----------------------------------------------------------------


@transaction.atomic
def registrations_expire(*, on: dt.date) -> int:
    """Expire every registered domain whose expiry date is on or before `on`. Idempotent."""
    due = list(
        DomainRegistration.objects.select_for_update(skip_locked=True)
        .filter(status=RegistrationStatus.REGISTERED, expires_on__lte=on)
        .only("pk", "status")
    )
    DomainRegistration.objects.filter(pk__in=[r.pk for r in due], status=RegistrationStatus.REGISTERED).update(
        status=RegistrationStatus.EXPIRED
    )
    reason = f"expiry date reached (run for {on.isoformat()})"
    RegistrationEvent.objects.bulk_create(
        [
            _event(r, frm=RegistrationStatus.REGISTERED, to=RegistrationStatus.EXPIRED, job=JOB_EXPIRE, reason=reason)
            for r in due
        ]
    )
    return len(due)


@transaction.atomic
def expiry_reminders_send(*, on: dt.date) -> int:
    """Email partners about registrations expiring within the reminder window; once per expiry date."""
    config = RegistrationConfig.get()
    due = list(
        DomainRegistration.objects.select_for_update(skip_locked=True)
        .filter(
            status=RegistrationStatus.REGISTERED,
            expires_on__gt=on,
            expires_on__lte=on + dt.timedelta(days=config.reminder_days),
        )
        .exclude(reminded_for=F("expires_on"))
        .select_related("partner")
        .order_by("partner_id", "expires_on")
    )
    DomainRegistration.objects.filter(pk__in=[r.pk for r in due]).update(reminded_for=F("expires_on"))
    by_partner: dict[int, list[DomainRegistration]] = {}
    for registration in due:
        by_partner.setdefault(registration.partner_id, []).append(registration)
    for rows in by_partner.values():
        email_partner(
            partner=rows[0].partner,
            compose=lambda rows=rows: _reminder_email(rows),
            roles=PARTNER_ROLES,
            kind=EmailKind.EXPIRY_REMINDERS,
        )
    return len(due)


def _reminder_email(rows: list[DomainRegistration]) -> EmailContent:
    return render_email("registrations/email/expiry_reminder", {"rows": rows})


@transaction.atomic
def compliance_check(*, on: dt.date) -> dict[str, int]:
    """After the compliance deadline: open a commission hold for each partner over its cap, close it once back
    within the cap. Hold periods are kept. Idempotent for a given day."""
    config = RegistrationConfig.get()
    if on < config.compliance_deadline:
        return {"opened": 0, "closed": 0}
    # Two runs at once (beat and an operator) would both see "no open hold" and
    # both insert one; the second waits here and then sees the first's holds.
    advisory_xact_lock(COMPLIANCE_LOCK)
    open_holds = {h.partner_id: h for h in CommissionHold.objects.select_for_update().filter(ended_on__isnull=True)}
    to_open, to_close = [], []
    for partner in partners_with_live_counts().only("pk", "kind", "tier"):
        cap = registration_cap(partner=partner, on=on, config=config)
        over = _over_cap(partner.live_count, cap)
        if over and partner.pk not in open_holds:
            to_open.append(
                CommissionHold(partner=partner, started_on=on, live_at_start=partner.live_count, cap_at_start=cap)
            )
        elif not over and partner.pk in open_holds:
            to_close.append(open_holds[partner.pk].partner_id)
    CommissionHold.objects.bulk_create(to_open)
    closed = _holds_close(partner_ids=to_close, on=on)
    return {"opened": len(to_open), "closed": closed}


def _over_cap(live: int, cap: int | None) -> bool:
    """The one rule for a commission hold: held while over the cap (live > cap), released once within it."""
    return cap is not None and live > cap


def _holds_close(*, partner_ids: Iterable[int], on: dt.date) -> int:
    """End the open commission holds of these partners on `on` (conditional: a closed hold stays as it was)."""
    return CommissionHold.objects.filter(partner_id__in=list(partner_ids), ended_on__isnull=True).update(ended_on=on)


# --- deals -----------------------------------------------------------------------


def _deal_event(deal: Deal, *, to: str, frm: str = "", actor: User | None, reason: str = "") -> None:
    DealEvent.objects.create(deal=deal, at=timezone.now(), actor=actor, from_status=frm, to_status=to, reason=reason)


def _clean_deal(data: dict) -> dict:
    """Validate a deal's fields; RegistrationError (or InvalidDomainError) with a message otherwise."""
    company = (data.get("company_name") or "").strip()
    if not company:
        raise RegistrationError(_("Enter the company name."))
    products = list(dict.fromkeys(data.get("products") or []))
    if not products or any(p not in Product.values for p in products):
        raise RegistrationError(_("Choose at least one product."))
    try:
        mrr = Decimal(str(data.get("expected_mrr")))
    except (InvalidOperation, ValueError) as exc:
        raise RegistrationError(_("Enter the expected MRR as a number.")) from exc
    if not mrr.is_finite() or mrr < 0:
        raise RegistrationError(_("Enter the expected MRR as a number."))
    if data.get("currency") in Currency.values:
        try:
            check_minor_units(mrr, str(data["currency"]))
        except ValidationError as exc:
            raise RegistrationError(exc.messages[0]) from exc
    domain = (data.get("domain") or "").strip()
    if domain:
        try:
            domain = normalise_domain(domain)
        except InvalidDomain as exc:
            raise InvalidDomainError(str(exc.reason)) from exc
    if (
        data.get("currency") not in Currency.values
        or data.get("stage", DealStage.QUALIFICATION) not in DealStage.values
    ):
        raise RegistrationError(_("Choose a currency and a stage."))
    if not isinstance(data.get("expected_close_on"), dt.date):
        raise RegistrationError(_("Enter the expected close date."))
    email = (data.get("sales_rep_email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError as exc:
            raise RegistrationError(_("Enter a valid email address for the sales rep.")) from exc
    return {
        "company_name": company[:200],
        "domain": domain,
        "products": products,
        "expected_mrr": mrr.quantize(Decimal("0.01")),
        "currency": data["currency"],
        "stage": data.get("stage") or DealStage.QUALIFICATION,
        "expected_close_on": data["expected_close_on"],
        "partner_is_owner": bool(data.get("partner_is_owner", True)),
        "sales_rep_name": (data.get("sales_rep_name") or "").strip()[:200],
        "sales_rep_email": email,
    }


@transaction.atomic
def deal_submit(*, partner: Partner, acting_user: User, **data: object) -> Deal:
    """A partner registers a deal; it waits for the CAM's decision."""
    _require_partner_user(acting_user, partner)
    fields = _clean_deal(data)
    deal = Deal.objects.create(partner=partner, submitted_at=timezone.now(), submitted_by=acting_user, **fields)
    _deal_event(deal, to=DealStatus.PENDING, actor=acting_user, reason="submitted")
    waiting_notify(source="deals", pk=deal.pk)
    return deal


def _deal_decide(deal: Deal, *, acting_user: User, to: str, reason: str) -> Deal:
    _require_cam_of(acting_user, deal.partner)
    updated = Deal.objects.filter(pk=deal.pk, status=DealStatus.PENDING).update(
        status=to, decided_at=timezone.now(), decided_by=acting_user, decision_reason=reason
    )
    if not updated:
        raise NotLive(_("This deal has already been decided."))
    deal.refresh_from_db()
    _deal_event(deal, frm=DealStatus.PENDING, to=to, actor=acting_user, reason=reason)
    email_partner(
        partner=deal.partner, compose=lambda: _deal_email(deal), roles=PARTNER_ROLES, kind=EmailKind.DEAL_DECISIONS
    )
    return deal


def _deal_email(deal: Deal) -> EmailContent:
    return render_email(
        "registrations/email/deal_decision", {"deal": deal, "approved": deal.status == DealStatus.APPROVED}
    )


@transaction.atomic
def deal_approve(*, deal: Deal, acting_user: User, reason: str = "") -> Deal:
    return _deal_decide(deal, acting_user=acting_user, to=DealStatus.APPROVED, reason=reason.strip())


@transaction.atomic
def deal_reject(*, deal: Deal, acting_user: User, reason: str) -> Deal:
    if not (reason or "").strip():
        raise RegistrationError(_("A reason is required to reject a deal."))
    return _deal_decide(deal, acting_user=acting_user, to=DealStatus.REJECTED, reason=reason.strip())


@transaction.atomic
def deal_note_add(*, deal: Deal, author: User, body: str) -> DealNote:
    """A message in the deal's shared thread, from the partner's users or its CAM."""
    partner_side = author.role in PARTNER_ROLES and author.partner_id == deal.partner_id
    cam_side = author.is_cam and deal.partner.cam_id == author.pk
    if not (author.is_active and (partner_side or cam_side)):
        raise PermissionDenied("only the partner's users and its CAM write in this thread")
    body = (body or "").strip()
    if not body:
        raise RegistrationError(_("Write a note first."))
    return DealNote.objects.create(deal=deal, author=author, body=body[:5000], created_at=timezone.now())


STATUS_HELP = {
    RegistrationStatus.PENDING: gettext_lazy("Waiting for your CAM's approval. Counts against your cap."),
    RegistrationStatus.REGISTERED: gettext_lazy("Yours until its expiry date. Counts against your cap."),
    RegistrationStatus.REJECTED: gettext_lazy("Your CAM declined it; the reason is shown. Does not count."),
    RegistrationStatus.EXPIRED: gettext_lazy("Its validity ended. You may register it again while under your cap."),
    RegistrationStatus.RELEASED: gettext_lazy("You gave it up: no commission eligibility. Does not count."),
}
