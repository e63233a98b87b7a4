"""Scoped reads of partners and people.

`partners_visible_to` is the one place that decides which partners a person may
see; every feature app builds its own scoping on it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal.models import PARTNER_ROLES, Partner, Role, User


def partners_visible_to(user: User) -> QuerySet[Partner]:
    """Partners this user may see: their own org, their book, or all (staff)."""
    partners = Partner.objects.all()
    if not user.is_authenticated or not user.is_active:
        return partners.none()
    if user.role in PARTNER_ROLES:
        return partners.filter(pk=user.partner_id)
    if user.role == Role.CAM:
        return partners.filter(cam=user)
    if user.role == Role.CC:
        return partners.filter(cc=user)
    if user.is_programme_staff and user.has_perm("portal.view_partner"):
        return partners
    return partners.none()


def partner_get_for_user(*, user: User, partner_id: str) -> Partner:
    """The partner with this public id if the user may see it; 404 otherwise."""
    partner = partners_visible_to(user).select_related("cam", "cc").filter(partner_id=partner_id).first()
    if partner is None:
        raise Http404("No such partner")
    return partner


def partner_users(*, partner: Partner) -> QuerySet[User]:
    return User.objects.filter(partner=partner).order_by("-is_active", "email")


def is_last_active_partner_admin(user: User) -> bool:
    """True when `user` is the only active org admin of their partner."""
    if not (user.is_active and user.is_partner_admin):
        return False
    others = User.objects.filter(partner_id=user.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
    return not others.exclude(pk=user.pk).exists()


def outbox_counts() -> dict[str, int]:
    """Emails waiting to be sent and emails that failed for good (staff home)."""
    from django.db.models import Count, Q

    from portal.models import EmailStatus, OutgoingEmail

    return OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status=EmailStatus.QUEUED)),
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
    )
