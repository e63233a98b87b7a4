"""Scoped reads of client reviews and invitations (the partner's page, the moderation queue, the profile)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, QuerySet, Value, When
from django.http import Http404

from directory.models import Review, ReviewInvitation, ReviewStatus
from portal.access import partner_own
from portal.models import Partner, User


class InvitationState:
    SENT = "sent"
    EXPIRED = "expired"
    USED = "used"


def invitations_for_partner(*, partner: Partner, now: dt.datetime) -> QuerySet[ReviewInvitation]:
    """The partner's invitations, newest first, each with `state`: sent (open), expired or used."""
    return (
        ReviewInvitation.objects.filter(partner=partner)
        .select_related("invited_by")
        .annotate(
            state=Case(
                When(used_at__isnull=False, then=Value(InvitationState.USED)),
                When(expires_at__lte=now, then=Value(InvitationState.EXPIRED)),
                default=Value(InvitationState.SENT),
                output_field=CharField(),
            )
        )
        .order_by("-created_at", "-pk")
    )


def reviews_for_partner(*, partner: Partner) -> QuerySet[Review]:
    """Every review of the partner whatever its moderation status, newest first."""
    return Review.objects.filter(partner=partner).select_related("replied_by").order_by("-submitted_at", "-pk")


def published_reviews(*, partner: Partner) -> QuerySet[Review]:
    """What the public reads on a partner's profile: published reviews, newest first."""
    return Review.objects.filter(partner=partner, status=ReviewStatus.PUBLISHED).order_by("-submitted_at", "-pk")


def own_review_get(*, user: User, pk: int) -> Review:
    """A review of the signed-in partner user's own organisation; 404 for anyone else's."""
    review = Review.objects.filter(partner=partner_own(user), pk=pk).first()
    if review is None:
        raise Http404("no such review")
    return review


def moderation_queue() -> QuerySet[Review]:
    """Reviews waiting for staff, oldest first (callers check the moderation permission)."""
    return (
        Review.objects.filter(status=ReviewStatus.PENDING)
        .select_related("partner", "invitation__invited_by")
        .order_by("submitted_at", "pk")
    )


def queued_review_get(*, pk: int) -> Review:
    review = Review.objects.select_related("partner").filter(pk=pk).first()
    if review is None:
        raise Http404("no such review")
    return review
