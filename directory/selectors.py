"""Scoped reads of the directory (public listings, a partner's own profile and reviews)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from directory.models import AuditEntry, PartnerProfile, Review, ReviewStatus
from enablement import selectors as enablement_selectors
from portal.history import HistoryItem, audit_history_items
from portal.models import Partner, PartnerKind, Tier, User

PAGE_SIZE = 20
REVIEWS_SHOWN = 20


def partner_history_items(partner: Partner, limit: int) -> list[HistoryItem]:
    """Directory audit entries about one partner (listing hidden, reviews moderated), for its history page."""
    return audit_history_items(AuditEntry, partner=partner, limit=limit, kind=_("Solutions Directory"))


# --- The public search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    """What a visitor asked for; empty strings mean "any"."""

    q: str = ""
    region: str = ""
    country: str = ""
    language: str = ""
    service: str = ""
    industry: str = ""
    tier: str = ""
    accreditation: str = ""
    sort: str = "relevance"


def public_profiles() -> QuerySet[PartnerProfile]:
    """Listings the public may see: listed by the partner, not hidden by staff, of a solutions partner."""
    return PartnerProfile.objects.filter(
        listed=True, hidden_at__isnull=True, partner__kind=PartnerKind.SOLUTIONS_PARTNER
    )


def _tier_rank() -> Case:
    return Case(
        *[When(partner__tier=tier, then=Value(Tier.rank(tier))) for tier in Tier.values],
        default=Value(0),
        output_field=IntegerField(),
    )


def _published_reviews() -> QuerySet[Review]:
    return Review.objects.filter(partner=OuterRef("partner_id"), status=ReviewStatus.PUBLISHED).order_by()


def directory_search(*, filters: DirectoryFilters) -> QuerySet[PartnerProfile]:
    """Public listings matching the filters, sorted, with what a result card shows; one query per page."""
    rows = public_profiles()
    if filters.q:
        text = Q(partner__name__icontains=filters.q) | Q(tagline__icontains=filters.q)
        rows = rows.filter(text | Q(description__icontains=filters.q))
    if filters.region:
        rows = rows.filter(partner__region=filters.region)
    if filters.country:
        rows = rows.filter(partner__operating_countries__contains=filters.country)
    if filters.language:
        rows = rows.filter(languages__has=filters.language)
    if filters.service:
        rows = rows.filter(services__has=filters.service)
    if filters.industry:
        rows = rows.filter(partner__industries__has=filters.industry)
    if filters.tier:
        rows = rows.filter(partner__tier=filters.tier)
    if filters.accreditation:
        rows = rows.filter(partner_id__in=enablement_selectors.partner_ids_accredited(code=filters.accreditation))
    rows = rows.select_related("partner").defer("logo", "description", "partner__cam", "partner__cc")
    return rows.order_by(*_ordering(filters))


class OneQueryPaginator(Paginator):
    """A page whose rows carry the number of matches (`COUNT(*) OVER ()`): one query instead of the
    pager's `COUNT(*)` and then the page, which scanned every listing twice for a text search."""

    def __init__(self, object_list: QuerySet, per_page: int, **kwargs) -> None:
        super().__init__(object_list.annotate(matches=Window(Count("pk"))), per_page, **kwargs)

    def get_page(self, number) -> Page:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if not rows and number == 1:  # no match at all: nothing to count again
            self.count = 0
            return self._get_page(rows, 1, self)
        if not rows:  # past the last page: the usual count, then the last page
            return super().get_page(number)
        self.count = rows[0].matches  # the cached property, answered by the page itself
        return self._get_page(rows, number, self)


def _ordering(filters: DirectoryFilters) -> list:
    by_name = ["partner__name", "pk"]
    if filters.sort == "name":
        return by_name
    if filters.sort == "rating":
        return [F("rating").desc(nulls_last=True), "-review_count", *by_name]
    order = [_tier_rank().desc(), *by_name]
    if filters.q:
        # Relevance: a name match before a tagline match before a description match, then the tier.
        match = Case(
            When(partner__name__icontains=filters.q, then=Value(2)),
            When(tagline__icontains=filters.q, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        order.insert(0, match.desc())
    return order


def accreditation_choices() -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in enablement_selectors.accreditations_offered()]


# --- One profile ------------------------------------------------------------------------------------------------


def may_preview(*, user: User, profile: PartnerProfile) -> bool:
    """A listing the public cannot see: its own partner's people and programme staff may still look."""
    if not user.is_authenticated:
        return False
    return user.is_programme_staff or (user.is_partner_user and user.partner_id == profile.partner_id)


def profile_get_public(*, slug: str, user: User) -> PartnerProfile:
    """The profile at `slug`, if the public may see it or this person may preview it; 404 otherwise."""
    profile = (
        PartnerProfile.objects.select_related("partner")
        .defer("logo")
        .filter(slug=slug, partner__kind=PartnerKind.SOLUTIONS_PARTNER)
        .first()
    )
    if profile is None or not (profile.is_public or may_preview(user=user, profile=profile)):
        raise Http404
    return profile


def profile_logo_get(*, slug: str, user: User, with_image: bool = True) -> PartnerProfile:
    """The listing at `slug` with a logo the person may see (404 otherwise); `with_image=False` leaves
    the bytes in the database (for the ETag and Last-Modified checks before the image is sent)."""
    rows = PartnerProfile.objects.select_related("partner").filter(slug=slug).exclude(logo_content_type="")
    profile = (rows if with_image else rows.defer("logo", "description")).first()
    if profile is None or not (profile.is_public or may_preview(user=user, profile=profile)):
        raise Http404
    return profile


def profile_own(*, partner: Partner) -> PartnerProfile | None:
    """The partner's own listing (it may not have one yet)."""
    return PartnerProfile.objects.filter(partner=partner).defer("logo").first()


@dataclass(frozen=True)
class ProfileFacts:
    """What the programme knows about a partner, shown beside its own words."""

    certifications: list[tuple[str, int]]
    accreditations: list
    awards: list
    rating: float | None
    review_count: int
    reviews: list[Review]
    badges: list = field(default_factory=list)


# Extra badges on a profile (the reviews helper's Global Partner of the Year): functions
# `f(partner) -> list[Badge]` registered here, so the profile page needs no change to show them.
BADGE_PROVIDERS: list = []


@dataclass(frozen=True)
class Badge:
    label: str
    title: str = ""


def profile_badge_provider(func):
    """Register `func(partner) -> list[Badge]`: badges shown on a profile beside its Impact Awards."""
    BADGE_PROVIDERS.append(func)
    return func


def profile_facts(*, partner: Partner, today: dt.date) -> ProfileFacts:
    reviews = list(
        Review.objects.filter(partner=partner, status=ReviewStatus.PUBLISHED).order_by("-submitted_at")[:REVIEWS_SHOWN]
    )
    summary = Review.objects.filter(partner=partner, status=ReviewStatus.PUBLISHED).aggregate(
        rating=Avg("rating"), count=Count("pk")
    )
    return ProfileFacts(
        certifications=enablement_selectors.certifications_held(partner=partner, today=today),
        accreditations=list(enablement_selectors.accreditations_held(partner=partner)),
        awards=list(enablement_selectors.published_awards_for(partner=partner)),
        rating=summary["rating"],
        review_count=summary["count"],
        reviews=reviews,
        badges=[badge for provider in BADGE_PROVIDERS for badge in provider(partner)],
    )
