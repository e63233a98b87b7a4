"""Inclusion tags the tier dashboard includes: `{% load enablement_tags %}{% partner_enablement_summary partner %}`."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from enablement import selectors
from portal.models import Partner

register = template.Library()


@register.inclusion_tag("enablement/_summary.html")
def partner_enablement_summary(partner: Partner) -> dict:
    """Certification counts and accreditations of exactly this partner."""
    return {
        "partner": partner,
        "counts": selectors.certification_counts(partner=partner, today=timezone.localdate()),
        "holdings": selectors.accreditations_for_partner(partner=partner),
    }


@register.inclusion_tag("enablement/_award_badges.html", takes_context=True)
def partner_award_badges(context: template.Context, partner: Partner) -> dict:
    """Published Impact Awards of exactly this partner, as badges.

    A partner's own badges link to its awards page, which explains them; a CAM
    reading the dashboard gets plain badges (the awards page is not theirs).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    own = user is not None and user.is_authenticated and user.is_partner_user and user.partner_id == partner.pk
    return {
        "partner": partner,
        "awards": selectors.published_awards_for(partner=partner),
        "awards_url": reverse("enablement:awards") if own else "",
    }
