"""Scoped reads of registrations, deals, caps and holds.

Every query a request makes starts from `partners_visible_to(user)`, so a
partner user sees only their organisation and a CAM only their book.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.formats import domain_unicode
from portal.history import HistoryItem
from portal.models import Partner, PartnerKind, Role, Tier, User
from portal.selectors import partners_visible_to
from registrations.models import (
    LIVE_STATUSES,
    CommissionHold,
    Deal,
    DealEvent,
    DealStatus,
    DomainRegistration,
    RegistrationConfig,
    RegistrationEvent,
    RegistrationStatus,
)


def registration_cap(
    *, partner: Partner, on: dt.date | None = None, config: RegistrationConfig | None = None
) -> int | None:
    """The partner's cap on live registrations on `on` (today); None before caps took effect."""
    config = config or RegistrationConfig.get()
    on = on or timezone.localdate()
    if on < config.caps_effective_from:
        return None
    return config.cap_for(partner)


def live_registrations_count(*, partner: Partner) -> int:
    return DomainRegistration.objects.filter(partner=partner, status__in=LIVE_STATUSES).count()


def commission_hold_open(*, partner: Partner) -> CommissionHold | None:
    return CommissionHold.objects.filter(partner=partner, ended_on__isnull=True).first()


def registration_summary(*, partner: Partner, on: dt.date | None = None) -> dict:
    """The three facts `partner_status` reports: cap, live count, commission hold."""
    return {
        "registration_cap": registration_cap(partner=partner, on=on),
        "live_registrations": live_registrations_count(partner=partner),
        "commission_hold": commission_hold_open(partner=partner) is not None,
    }


def expiring_soon_count(
    *, partner: Partner, on: dt.date | None = None, config: RegistrationConfig | None = None
) -> int:
    """Registered domains whose validity ends within the reminder period (14 days by default)."""
    config = config or RegistrationConfig.get()
    on = on or timezone.localdate()
    return DomainRegistration.objects.filter(
        partner=partner,
        status=RegistrationStatus.REGISTERED,
        expires_on__gte=on,
        expires_on__lte=on + dt.timedelta(days=config.reminder_days),
    ).count()


def next_tier_cap(*, partner: Partner, config: RegistrationConfig | None = None) -> tuple[str, int] | None:
    """(next tier's label, its cap): what moving up a tier would give. None for providers and Elite."""
    if partner.kind == PartnerKind.PROVIDER or partner.tier == Tier.ELITE:
        return None
    config = config or RegistrationConfig.get()
    above = Tier.values[Tier.rank(partner.tier) + 1]
    return str(Tier(above).label), config.cap_for_tier(above)


def partners_with_live_counts() -> QuerySet[Partner]:
    return Partner.objects.annotate(
        live_count=Count("domain_registrations", filter=Q(domain_registrations__status__in=LIVE_STATUSES))
    )


def registrations_visible_to(user: User) -> QuerySet[DomainRegistration]:
    return DomainRegistration.objects.filter(partner__in=partners_visible_to(user)).select_related("partner")


def registration_get_for_user(*, user: User, pk: int) -> DomainRegistration:
    registration = registrations_visible_to(user).filter(pk=pk).first()
    if registration is None:
        raise Http404("No such registration")
    return registration


def registrations_for_partner(*, partner: Partner, search: str = "", status: str = "") -> QuerySet[DomainRegistration]:
    """The capacity manager's list: live first, then newest; optional search and status filter."""
    rows = DomainRegistration.objects.filter(partner=partner)
    if search:
        rows = rows.filter(Q(domain__icontains=search.strip()) | Q(company_name__icontains=search.strip()))
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-submitted_at", "-pk")


def _book(user: User) -> QuerySet[Partner]:
    """Partners whose registrations this user decides on: a CAM's own book, nothing for others."""
    if user.role != Role.CAM or not user.is_active:
        return Partner.objects.none()
    return partners_visible_to(user)


def _book_pending(model: type[DomainRegistration] | type[Deal], *, cam: User, pending: str) -> QuerySet:
    """The CAM's book's claims of `model` (domains or deals) waiting for a decision, oldest first."""
    return (
        model.objects.filter(partner__in=_book(cam), status=pending)
        .select_related("partner", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def _book_claim(model: type[DomainRegistration] | type[Deal], *, cam: User, pk: int, missing: str):
    """One claim of `model` in the CAM's book, any status; 404 (`missing`) otherwise."""
    claim = model.objects.filter(partner__in=_book(cam), pk=pk).select_related("partner").first()
    if claim is None:
        raise Http404(missing)
    return claim


def approval_queue(*, cam: User) -> QuerySet[DomainRegistration]:
    """Pending domain registrations of the CAM's book, oldest first."""
    return _book_pending(DomainRegistration, cam=cam, pending=RegistrationStatus.PENDING)


def queue_registration_get(*, cam: User, pk: int) -> DomainRegistration:
    return _book_claim(DomainRegistration, cam=cam, pk=pk, missing="No such registration")


def deals_visible_to(user: User) -> QuerySet[Deal]:
    return Deal.objects.filter(partner__in=partners_visible_to(user)).select_related("partner")


def deal_get_for_user(*, user: User, pk: int) -> Deal:
    deal = deals_visible_to(user).filter(pk=pk).first()
    if deal is None:
        raise Http404("No such deal")
    return deal


def deal_queue(*, cam: User) -> QuerySet[Deal]:
    return _book_pending(Deal, cam=cam, pending=DealStatus.PENDING)


def queue_deal_get(*, cam: User, pk: int) -> Deal:
    return _book_claim(Deal, cam=cam, pk=pk, missing="No such deal")


def status_counts(*, partner: Partner) -> dict[str, int]:
    rows = DomainRegistration.objects.filter(partner=partner).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def partner_waiting_counts(*, partner: Partner, on: dt.date, config: RegistrationConfig) -> dict[str, int]:
    """For the partner home: registered domains expiring within the reminder period, what waits
    for the CAM's decision (pending domains and deals) and the live count (over the cap?). Two queries."""
    soon = Q(
        status=RegistrationStatus.REGISTERED,
        expires_on__gte=on,
        expires_on__lte=on + dt.timedelta(days=config.reminder_days),
    )
    counts = DomainRegistration.objects.filter(partner=partner).aggregate(
        expiring=Count("pk", filter=soon),
        pending=Count("pk", filter=Q(status=RegistrationStatus.PENDING)),
        live=Count("pk", filter=Q(status__in=LIVE_STATUSES)),
    )
    counts["pending_deals"] = Deal.objects.filter(partner=partner, status=DealStatus.PENDING).count()
    return counts


def partner_panel_facts(*, partner: Partner, on: dt.date, config: RegistrationConfig) -> dict:
    """For the panel beside the tier: live registrations, those expiring soon, the next expiry, the open hold.

    Two queries: one aggregate over the partner's registrations, one for the open commission hold.
    """
    registered = Q(status=RegistrationStatus.REGISTERED, expires_on__gte=on)
    facts = DomainRegistration.objects.filter(partner=partner).aggregate(
        live=Count("pk", filter=Q(status__in=LIVE_STATUSES)),
        expiring=Count("pk", filter=registered & Q(expires_on__lte=on + dt.timedelta(days=config.reminder_days))),
        next_expiry=Min("expires_on", filter=registered),
    )
    facts["hold"] = commission_hold_open(partner=partner)
    return facts


def cam_decisions_waiting(*, cam: User) -> tuple[int, dt.datetime | None]:
    """(how many domain and deal registrations wait for this CAM, when the oldest was submitted)."""
    domains = approval_queue(cam=cam).order_by().aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    deals = deal_queue(cam=cam).order_by().aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    oldest = [value for value in (domains["oldest"], deals["oldest"]) if value is not None]
    return domains["n"] + deals["n"], min(oldest) if oldest else None


def partner_history_items(partner: Partner, limit: int) -> list[HistoryItem]:
    """Registration and deal events of one partner, for the staff history page."""
    registration_events = (
        RegistrationEvent.objects.filter(registration__partner=partner)
        .select_related("registration", "actor")
        .order_by("-at", "-pk")[:limit]
    )
    deal_events = DealEvent.objects.filter(deal__partner=partner).select_related("deal", "actor").order_by("-at", "-pk")
    items = [
        HistoryItem(
            at=event.at,
            kind=str(_("Domain registration")),
            subject=domain_unicode(event.registration.domain),
            old=str(event.get_from_status_display()) if event.from_status else "∅",
            new=str(event.get_to_status_display()),
            actor=event.actor,
            actor_label=event.get_job_display() if event.job else "",
            reason=event.reason_label(),
        )
        for event in registration_events
    ]
    items += [
        HistoryItem(
            at=event.at,
            kind=str(_("Deal")),
            subject=event.deal.company_name,
            old=str(event.get_from_status_display()) if event.from_status else "∅",
            new=str(event.get_to_status_display()),
            actor=event.actor,
            reason=event.reason_label(),
        )
        for event in deal_events[:limit]
    ]
    return items


def partners_over_cap(*, on: dt.date, config: RegistrationConfig | None = None) -> QuerySet[Partner]:
    """Partners with more live registrations than their cap on `on` (none before caps took effect). One query."""
    config = config or RegistrationConfig.get()
    if on < config.caps_effective_from:
        return Partner.objects.none()
    cap = Case(
        When(kind=PartnerKind.PROVIDER, then=Value(config.cap_provider)),
        *[When(tier=tier, then=Value(config.cap_for_tier(tier))) for tier in Tier.values],
        default=Value(config.cap_solutions_partner),
        output_field=IntegerField(),
    )
    return partners_with_live_counts().annotate(cap=cap).filter(live_count__gt=F("cap"))


def partner_has_registered_domain(*, partner: Partner, domains: list[str]) -> bool:
    """True when the partner holds an approved, live registration of one of `domains` (directory: review invitations)."""
    return DomainRegistration.objects.filter(
        partner=partner, status=RegistrationStatus.REGISTERED, domain__in=domains
    ).exists()
