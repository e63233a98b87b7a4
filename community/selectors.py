"""Scoped reads of the community programmes. Everything a request touches goes through here (404 otherwise)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from community.models import (
    AuditEntry,
    BlackAtInboundMembership,
    DeibApplication,
    DeibCohort,
    DeibSelfIdentification,
    DeibStatus,
    HugEvent,
    HugGroup,
    HugInactivityFlag,
    HugLeaderApplication,
    HugMembership,
    LeadStatus,
    PugApplication,
    PugGroup,
    PugReviewCycle,
    PugStatus,
)
from portal.access import REVIEW_APPLICATIONS, has_perm, is_programme_staff, partner_own, require_perm
from portal.history import HistoryItem, audit_history_items
from portal.models import Partner, User

# --- PUG -------------------------------------------------------------------------------------------------------


def pug_cycle_open(*, today: dt.date) -> PugReviewCycle | None:
    """The cycle whose application window contains today."""
    return PugReviewCycle.open_on(today).first()


def pug_cycle_next(*, today: dt.date) -> PugReviewCycle | None:
    return PugReviewCycle.objects.filter(opens_on__gt=today).order_by("opens_on").first()


def pug_cycle_for_review(*, today: dt.date) -> PugReviewCycle | None:
    """The open cycle, else the latest one whose window has closed (staff still review after closing)."""
    return (
        pug_cycle_open(today=today) or PugReviewCycle.objects.filter(opens_on__lte=today).order_by("-opens_on").first()
    )


def pug_groups_with_seats(*, cycle: PugReviewCycle | None) -> QuerySet[PugGroup]:
    accepted = Q(applications__status=PugStatus.ACCEPTED, applications__cycle=cycle)
    return PugGroup.objects.annotate(accepted_count=Count("applications", filter=accepted)).order_by(
        "region", "role", "name"
    )


def pug_applications_for_partner(*, partner: Partner) -> QuerySet[PugApplication]:
    return (
        PugApplication.objects.filter(partner=partner)
        .select_related("group", "cycle")
        .order_by("-cycle__opens_on", "group__name")
    )


def pug_memberships_for_partner(*, partner: Partner, today: dt.date) -> QuerySet[PugApplication]:
    """Accepted applications whose cohort has not ended: the groups the partner belongs to now or soon."""
    return pug_applications_for_partner(partner=partner).filter(
        status=PugStatus.ACCEPTED, cycle__cohort_ends_on__gte=today
    )


def pug_group_for_member(*, user: User, group_id: int, today: dt.date) -> tuple[PugGroup, PugApplication | None]:
    """A group page: staff see any group; a partner only a group it was accepted into (cohort not ended)."""
    if is_programme_staff(user):
        require_perm(user, "community.view_puggroup")
        group = PugGroup.objects.filter(pk=group_id).first()
        if group is None:
            raise Http404
        return group, None
    partner = partner_own(user)
    membership = pug_memberships_for_partner(partner=partner, today=today).filter(group_id=group_id).first()
    if membership is None:
        raise Http404("not a member of this group")
    return membership.group, membership


def pug_group_members(*, group: PugGroup, cycle_id: int) -> QuerySet[Partner]:
    return Partner.objects.filter(
        pug_applications__group=group, pug_applications__cycle_id=cycle_id, pug_applications__status=PugStatus.ACCEPTED
    ).order_by("name")


def pug_applications_with_seats() -> QuerySet[PugApplication]:
    """Applications annotated with the seats already taken in their group and cycle."""
    taken = (
        PugApplication.objects.filter(group=OuterRef("group"), cycle=OuterRef("cycle"), status=PugStatus.ACCEPTED)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return PugApplication.objects.select_related("group", "partner", "submitted_by", "cycle").annotate(
        seats_taken=Coalesce(Subquery(taken), 0)
    )


def pug_review_queue(*, cycle: PugReviewCycle) -> QuerySet[PugApplication]:
    return (
        pug_applications_with_seats()
        .filter(cycle=cycle, status__in=[PugStatus.SUBMITTED, PugStatus.WAITLISTED])
        .order_by("group__name", "created_at")
    )


def _for_reviewer(rows: QuerySet, *, user: User, pk: int):
    """One of `rows` for a reviewer: 404 for non-staff, 403 for staff without review rights, 404 if unknown."""
    require_perm(user, REVIEW_APPLICATIONS)
    row = rows.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def pug_application_for_staff(*, user: User, pk: int) -> PugApplication:
    return _for_reviewer(pug_applications_with_seats(), user=user, pk=pk)


# --- HUG -------------------------------------------------------------------------------------------------------


def hug_directory(
    *, user: User, q: str = "", topic: str = "", region: str = "", language: str = "", format: str = ""
) -> QuerySet[HugGroup]:
    groups = HugGroup.objects.select_related("leader_partner").annotate(
        member_count=Count("memberships", distinct=True),
        is_member=Exists(HugMembership.objects.filter(group=OuterRef("pk"), user_id=user.pk)),
    )
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(description__icontains=q))
    for field, value in (("topic", topic), ("region", region), ("language", language), ("format", format)):
        if value:
            groups = groups.filter(**{field: value})
    return groups.order_by("name")


def hug_group_get(*, user: User, pk: int) -> HugGroup:
    """HUGs are open to everyone who may use the directory (partner users and staff)."""
    if not user.is_authenticated or not (user.is_partner_user or is_programme_staff(user)):
        raise Http404
    group = hug_directory(user=user).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def hug_events_split(
    *, group: HugGroup, now: dt.datetime, past_limit: int = 12
) -> tuple[list[HugEvent], list[HugEvent]]:
    """(upcoming events, soonest first; past events, latest first, at most `past_limit`). Two queries."""
    upcoming = list(group.events.filter(starts_at__gte=now).order_by("starts_at"))
    past = list(group.events.filter(starts_at__lt=now).order_by("-starts_at")[:past_limit])
    return upcoming, past


def hug_lead_applications_for_partner(*, partner: Partner) -> QuerySet[HugLeaderApplication]:
    return HugLeaderApplication.objects.filter(partner=partner).select_related("group").order_by("-created_at")


def hug_lead_queue() -> QuerySet[HugLeaderApplication]:
    return (
        HugLeaderApplication.objects.filter(status=LeadStatus.SUBMITTED)
        .select_related("group", "partner", "applicant")
        .order_by("created_at")
    )


def hug_lead_application_for_staff(*, user: User, pk: int) -> HugLeaderApplication:
    return _for_reviewer(HugLeaderApplication.objects.select_related("group", "partner"), user=user, pk=pk)


def hug_open_flags() -> QuerySet[HugInactivityFlag]:
    return (
        HugInactivityFlag.objects.filter(resolved=False)
        .select_related("group", "leader_partner")
        .order_by("-quarter", "group__name")
    )


# --- DEI&B -----------------------------------------------------------------------------------------------------


def deib_cohort_current(*, today: dt.date) -> DeibCohort | None:
    """The cohort whose window is open, else the most recent one."""
    cohorts = DeibCohort.objects.all()
    return (
        DeibCohort.open_on(today).first()
        or cohorts.filter(opens_on__lte=today).order_by("-opens_on").first()
        or cohorts.order_by("opens_on").first()
    )


def deib_applications_for_partner(*, partner: Partner) -> QuerySet[DeibApplication]:
    return (
        DeibApplication.objects.filter(partner=partner)
        .select_related("cohort", "sponsor")
        .order_by("-cohort__opens_on")
    )


def deib_application_for_partner_user(*, user: User, pk: int) -> DeibApplication:
    partner = partner_own(user)
    application = deib_applications_for_partner(partner=partner).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def deib_self_identification_for(*, user: User, application: DeibApplication) -> DeibSelfIdentification | None:
    """The sensitive answer, only for the applicant's org admins and programme staff; None for everyone else."""
    allowed = (user.is_partner_admin and user.partner_id == application.partner_id) or (
        is_programme_staff(user) and has_perm(user, REVIEW_APPLICATIONS)
    )
    if not allowed:
        return None
    return DeibSelfIdentification.objects.filter(application=application).first()


def deib_review_queue(*, cohort: DeibCohort) -> QuerySet[DeibApplication]:
    return (
        DeibApplication.objects.filter(cohort=cohort, status__in=[DeibStatus.SUBMITTED, DeibStatus.SELECTED])
        .select_related("partner", "sponsor", "self_identification")
        .order_by("status", "created_at")
    )


def deib_application_for_staff(*, user: User, pk: int) -> DeibApplication:
    return _for_reviewer(DeibApplication.objects.select_related("cohort", "partner"), user=user, pk=pk)


# --- Black@INBOUND ---------------------------------------------------------------------------------------------


def black_at_inbound_is_member(*, user: User) -> bool:
    return BlackAtInboundMembership.objects.filter(user_id=user.pk).exists()


def black_at_inbound_members_for(*, user: User) -> QuerySet[BlackAtInboundMembership] | None:
    """The member list, for members only (None otherwise)."""
    if not black_at_inbound_is_member(user=user):
        return None
    return BlackAtInboundMembership.objects.select_related("user", "user__partner").order_by(
        "user__full_name", "user__email"
    )


def hug_groups_prefetch_events() -> Prefetch:
    return Prefetch("events", queryset=HugEvent.objects.order_by("starts_at"))


def deib_cohort_open(*, today: dt.date) -> DeibCohort | None:
    """The DEI&B cohort whose application window contains today."""
    return DeibCohort.open_on(today).first()


def partner_history_items(partner: Partner, limit: int) -> list[HistoryItem]:
    """Community audit entries about one partner, for the staff history page."""
    return audit_history_items(AuditEntry, partner=partner, limit=limit, kind=_("Community"))


def hug_flags_for_review(*, resolved: bool = False) -> QuerySet[HugInactivityFlag]:
    """Inactivity flags with their group, leader and the group's events (three queries for any number)."""
    return (
        HugInactivityFlag.objects.filter(resolved=resolved)
        .select_related("group", "leader_partner")
        .prefetch_related(Prefetch("group__events", queryset=HugEvent.objects.order_by("-starts_at")))
        .order_by("-quarter", "group__name")
    )


def hug_flag_for_staff(*, user: User, pk: int) -> HugInactivityFlag:
    """One flag for a reviewer (404 for non-staff, 403 for staff without review rights, 404 if unknown)."""
    return _for_reviewer(HugInactivityFlag.objects.select_related("group", "leader_partner"), user=user, pk=pk)
