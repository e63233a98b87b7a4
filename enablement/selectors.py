"""Scoped reads of enablement and award data. Monthly MRR comes only from `tiers.selectors.monthly_snapshots`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, FloatField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Power
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from enablement.models import (
    Accreditation,
    AccreditationApplication,
    AccreditationEligibility,
    AccreditationStatus,
    ApplicationWindow,
    AuditEntry,
    AwardStatus,
    Certification,
    ImpactAward,
    PartnerAccreditation,
)
from portal.access import NOMINATE_AWARDS, require_perm
from portal.history import HistoryItem, audit_history_items
from portal.models import Partner, PartnerKind, Tier, User
from portal.months import add_months, last_closed_month
from tiers.selectors import monthly_snapshots

EXPIRY_WARNING_DAYS = 90
CANDIDATES_SHOWN = 10
RETENTION_MIN_MANAGED_MRR = Decimal("20000")
RETENTION_MIN_RATIO = Decimal("0.90")


# --- Certifications and accreditations -------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationCounts:
    total: int
    valid: int
    expiring_soon: int
    people: int


def certification_counts(*, partner: Partner, today: dt.date) -> CertificationCounts:
    """Counts in one query: all, still valid today, valid but expiring within 90 days, distinct holders."""
    valid = Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    soon = Q(expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    row = Certification.objects.filter(partner=partner).aggregate(
        total=Count("pk"),
        valid=Count("pk", filter=valid),
        expiring_soon=Count("pk", filter=soon),
        people=Count("holder_name", filter=valid, distinct=True),
    )
    return CertificationCounts(**row)


def certifications_for_partner(*, partner: Partner) -> QuerySet[Certification]:
    return Certification.objects.filter(partner=partner).order_by("expires_on", "name", "holder_name")


def accreditations_for_partner(*, partner: Partner) -> QuerySet[PartnerAccreditation]:
    return (
        PartnerAccreditation.objects.filter(partner=partner)
        .select_related("accreditation")
        .annotate(mark_count=Count("marks"))
        .order_by("accreditation__name")
    )


def accreditation_eligible_ids(*, partner: Partner, on: dt.date) -> set[int]:
    """Accreditations the partner's current tier may hold on this date (rollout dates by tier)."""
    rows = AccreditationEligibility.objects.filter(
        tier=partner.tier, available_from__lte=on, accreditation__active=True
    ).values_list("accreditation_id", flat=True)
    return set(rows)


def accreditation_rollout(*, partner: Partner) -> QuerySet[AccreditationEligibility]:
    """Every active accreditation's rollout for the partner's tier (including ones not open yet)."""
    return (
        AccreditationEligibility.objects.filter(tier=partner.tier, accreditation__active=True)
        .select_related("accreditation")
        .order_by("available_from", "accreditation__name")
    )


def application_window_open(*, today: dt.date) -> ApplicationWindow | None:
    return ApplicationWindow.open_on(today).first()


def accreditation_applications_for_partner(*, partner: Partner) -> QuerySet[AccreditationApplication]:
    return (
        AccreditationApplication.objects.filter(partner=partner)
        .select_related("accreditation", "window")
        .order_by("-created_at")
    )


def holdings_due_for_reevaluation(*, today: dt.date) -> QuerySet[PartnerAccreditation]:
    return PartnerAccreditation.objects.filter(
        status=AccreditationStatus.ACTIVE, next_review_on__lte=today
    ).select_related("partner", "accreditation")


def published_awards_for(*, partner: Partner) -> QuerySet[ImpactAward]:
    return ImpactAward.objects.filter(partner=partner, status=AwardStatus.PUBLISHED).order_by("-year", "category")


# --- Impact Awards ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    partner: Partner
    value: Decimal
    detail: dict


def _partners_by_pk(pks: list[int]) -> dict[int, Partner]:
    return Partner.objects.in_bulk(pks)


def _ranked_sold_mrr(*, year: int, region: str, rookies_only: bool) -> list[Candidate]:
    """Partners of the region ranked by sold MRR (USD) summed over January–December of `year`, in SQL."""
    rows = monthly_snapshots(start=dt.date(year, 1, 1), end=dt.date(year, 12, 1)).filter(
        partner__region=region, partner__kind=PartnerKind.SOLUTIONS_PARTNER
    )
    if rookies_only:
        rows = rows.filter(partner__joined_on__year=year)
    ranked = list(
        rows.order_by()
        .values("partner_id")
        .annotate(total=Sum("sold_mrr_usd"))
        .filter(total__gt=0)
        .order_by("-total", "partner_id")[:CANDIDATES_SHOWN]
    )
    partners = _partners_by_pk([r["partner_id"] for r in ranked])
    return [Candidate(partners[r["partner_id"]], r["total"], {}) for r in ranked]


def retention_months(*, year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """(start month, end month) used by the retention award, as first days of months.

    The end month is December of `year`; if `year` has not finished by `today`,
    the last complete month before today. The start month is the month before it.
    The end month's snapshot holds the end-of-month MRR; the start month's
    snapshot holds the MRR at the end of the previous month = the start-of-month
    MRR of the end month.
    """
    end = dt.date(year, 12, 1)
    end = min(end, last_closed_month(today))
    start = add_months(end, -1)
    return start, end


def _ranked_retention(*, year: int, region: str, today: dt.date) -> list[Candidate]:
    """Retention award candidates, computed in SQL.

    Months: see `retention_months` — end month M (December of the year, or the
    last complete month) and start month M-1. Rules, all judged on M:
    achieved tier Gold or above; managed MRR (USD) ≥ 20,000; retention =
    (managed MRR of M ÷ managed MRR of M-1) ** 12 ≥ 0.90. Ranked by retention,
    then managed MRR.
    """
    start, end = retention_months(year=year, today=today)
    start_mrr = (
        monthly_snapshots(start=start, end=start)
        .filter(partner_id=OuterRef("partner_id"))
        .values("managed_mrr_usd")[:1]
    )
    # A ratio, not money: divided as floating point, because SQLite casts whole-number
    # decimals to integers and would divide them as integers.
    ratio = Cast("managed_mrr_usd", FloatField()) / Cast("start_mrr", FloatField())
    rows = (
        monthly_snapshots(start=end, end=end)
        .filter(
            partner__region=region,
            partner__kind=PartnerKind.SOLUTIONS_PARTNER,
            achieved_tier__in=Tier.ladder(),
            managed_mrr_usd__gte=RETENTION_MIN_MANAGED_MRR,
        )
        .annotate(start_mrr=Subquery(start_mrr))
        .filter(start_mrr__gt=0)
        .annotate(retention=Power(ratio, 12))
        .filter(retention__gte=float(RETENTION_MIN_RATIO))
        .order_by("-retention", "-managed_mrr_usd", "partner_id")
        .values("partner_id", "retention", "managed_mrr_usd", "start_mrr")[:CANDIDATES_SHOWN]
    )
    rows = list(rows)
    partners = _partners_by_pk([r["partner_id"] for r in rows])
    return [
        Candidate(
            partners[r["partner_id"]],
            Decimal(str(r["retention"])).quantize(Decimal("0.0001")),
            {"end_mrr": r["managed_mrr_usd"], "start_mrr": r["start_mrr"], "start": start, "end": end},
        )
        for r in rows
    ]


def award_candidates(*, year: int, region: str, today: dt.date) -> dict[str, list[Candidate]]:
    return {
        "partner_of_the_year": _ranked_sold_mrr(year=year, region=region, rookies_only=False),
        "rookie_of_the_year": _ranked_sold_mrr(year=year, region=region, rookies_only=True),
        "retention": _ranked_retention(year=year, region=region, today=today),
    }


def awards_for(*, year: int, region: str) -> QuerySet[ImpactAward]:
    return (
        ImpactAward.objects.filter(year=year, region=region)
        .select_related("partner")
        .order_by("category", "partner__name")
    )


def award_get_for_staff(*, user: User, pk: int) -> ImpactAward:
    require_perm(user, NOMINATE_AWARDS)
    award = ImpactAward.objects.select_related("partner").filter(pk=pk).first()
    if award is None:
        raise Http404
    return award


def accreditation_open_tiers() -> list[str]:
    """The tiers any active accreditation is (or will be) open to, low → high."""
    tiers = set(AccreditationEligibility.objects.filter(accreditation__active=True).values_list("tier", flat=True))
    return [tier for tier in Tier.values if tier in tiers]


def partner_history_items(partner: Partner, limit: int) -> list[HistoryItem]:
    """Enablement audit entries about one partner, for the staff history page."""
    return audit_history_items(AuditEntry, partner=partner, limit=limit, kind=_("Enablement"))


# --- For the public Solutions Directory --------------------------------------------------------------------------


def accreditations_offered() -> QuerySet[Accreditation]:
    """The accreditations the programme offers today (the directory's filter)."""
    return Accreditation.objects.filter(active=True).order_by("name")


def partner_ids_accredited(*, code: str) -> QuerySet[PartnerAccreditation]:
    """Partner ids that hold the accreditation `code` (active), as a subquery for `partner_id__in`."""
    return PartnerAccreditation.objects.filter(
        status=AccreditationStatus.ACTIVE, accreditation__code=code, accreditation__active=True
    ).values("partner_id")


def accreditations_held(*, partner: Partner) -> QuerySet[PartnerAccreditation]:
    """The accreditations a partner holds now (active), for its public profile."""
    return (
        PartnerAccreditation.objects.filter(partner=partner, status=AccreditationStatus.ACTIVE)
        .select_related("accreditation")
        .order_by("accreditation__name")
    )


def certifications_held(*, partner: Partner, today: dt.date) -> list[tuple[str, int]]:
    """Current certifications (not expired on `today`) by name with how many people hold each, most held first."""
    rows = (
        Certification.objects.filter(partner=partner)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values("name")
        .annotate(people=Count("holder_name", distinct=True))
        .order_by("-people", "name")
    )
    return [(row["name"], row["people"]) for row in rows]
