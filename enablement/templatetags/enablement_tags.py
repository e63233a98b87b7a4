"""Inclusion tags the tier dashboard includes: `{% load enablement_tags %}{% partner_enablement_summary partner %}`."""

from __future__ import annotations

from django import template
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


@register.inclusion_tag("enablement/_award_badges.html")
def partner_award_badges(partner: Partner) -> dict:
    """Published Impact Awards of exactly this partner, as badges."""
    return {"partner": partner, "awards": selectors.published_awards_for(partner=partner)}
