"""What the partner home says about the tier: at risk, near promotion, or on track.

The flags are the CAM book's own (`book.book_rows`), so a partner and its CAM
read the same outlook; the at-risk sentence names the preview's outcome.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from portal.home import Attention, partner_attention_provider
from portal.models import Partner, PartnerKind, Tier, User
from tiers import book, engine, progress


@partner_attention_provider
def partner_tier_outlook(*, partner: Partner, user: User, today: dt.date) -> list[Attention]:
    if partner.kind == PartnerKind.PROVIDER:
        return []
    row = book.book_rows(partners=Partner.objects.filter(pk=partner.pk), today=today).values(
        "at_risk", "near_promotion"
    )[0]
    url = reverse("tiers:dashboard")
    on = engine.next_reassessment_date(today)
    date = formats.date_format(on, "DATE_FORMAT")
    current = Tier(partner.tier).label
    if row["at_risk"]:
        outcome = Tier(progress.reassessment_preview(partner=partner, today=today).outcome_tier).label
        return [
            Attention(
                key="tier-outlook",
                level="warn",
                order=5,
                text=_(
                    "Your tier is at risk: if the %(date)s reassessment ran today, you would move from %(current)s "
                    "to %(outcome)s."
                )
                % {"date": date, "current": current, "outcome": outcome},
                url=url,
                link_text=_("See what it takes to keep %(tier)s") % {"tier": current},
            )
        ]
    above = progress.next_tier(partner.tier)
    if row["near_promotion"] and above:
        return [
            Attention(
                key="tier-outlook",
                level="ok",
                order=40,
                text=_("Near promotion: your last month was within 10%% of the %(tier)s target.")
                % {"tier": Tier(above).label},
                url=url,
                link_text=_("See what it takes to reach %(tier)s") % {"tier": Tier(above).label},
            )
        ]
    if partner.tier == Tier.SOLUTIONS_PARTNER:
        return [
            Attention(
                key="tier-outlook",
                order=40,
                text=_("You have no tier yet: Gold is the first step."),
                url=url,
                link_text=_("See what it takes to reach %(tier)s") % {"tier": Tier(Tier.GOLD).label},
            )
        ]
    return [
        Attention(
            key="tier-outlook",
            level="ok",
            order=40,
            text=_("On track: you keep %(tier)s at the %(date)s reassessment so far.")
            % {"tier": current, "date": date},
            url=url,
            link_text=_("See your tier"),
        )
    ]
