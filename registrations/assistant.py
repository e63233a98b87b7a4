"""The cap reduction assistant's read model: a partner's live registrations ranked as release candidates.

One query reads every live registration with the facts its reasons need (a deal for the domain,
the latest registration event, deal note, deal event and month of customer MRR); the reasons, the
score and the order are then worked out in Python from those facts. A proposal is the smallest set
that brings the live count to a target: `live − target` registrations, highest ranked first.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from portal.models import Industry, Partner
from portal.months import month_end, month_start
from registrations.models import (
    LIVE_STATUSES,
    Deal,
    DealEvent,
    DealNote,
    DealStatus,
    DomainRegistration,
    RegistrationConfig,
    RegistrationEvent,
    RegistrationStatus,
)
from registrations.selectors import registration_cap
from tiers.selectors import customer_mrr_months

# How much each reason weighs in the ranking. A customer outside the partner's countries or
# industries is what the programme asks partners to let go first; a domain without a deal or
# without activity comes next; one expiring soon costs little to give up; age breaks ties.
WEIGHTS = {
    "country": 40,
    "industry": 30,
    "no_deal": 20,
    "inactive": 20,
    "expiring": 10,
    "oldest": 5,
}
# The oldest quarter of the live registrations (rounded down: none of fewer than four) carries the "oldest" reason.
OLDEST_SHARE = 0.25


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass
class Candidate:
    """One live registration with its reasons to be released and its score."""

    registration: DomainRegistration
    last_activity: dt.date
    idle_days: int
    no_deal: bool
    inactive: bool
    country_outside: bool
    industry_outside: bool
    expires_in: int | None  # days, when it expires within the reminder period
    oldest: bool = False
    reasons: list[Reason] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.registration.pk

    @property
    def score(self) -> int:
        return sum(WEIGHTS[reason.code] for reason in self.reasons)


@dataclass
class Ranking:
    partner: Partner
    cap: int | None
    candidates: list[Candidate]
    inactivity_days: int
    countries_set: bool
    industries_set: bool

    @property
    def live(self) -> int:
        return len(self.candidates)

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.live > self.cap

    @property
    def at_cap(self) -> bool:
        return self.cap is not None and self.live >= self.cap

    @property
    def default_target(self) -> int | None:
        """The cap when over it (back within it, which ends a commission hold); one below it when at it (room to
        register again); None when under it or without a cap (the partner chooses)."""
        if self.cap is None or self.live < self.cap:
            return None
        return self.cap if self.live > self.cap else max(0, self.cap - 1)

    def proposal(self, target: int) -> list[int]:
        """The smallest set bringing the live count to `target`: the `live − target` highest ranked."""
        return [c.pk for c in self.candidates[: max(0, self.live - target)]]


def _latest(queryset, column: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{column}").values(column)[:1])


def _live_with_facts(partner: Partner, *, mrr_since: dt.date):
    """The partner's live registrations with the facts the reasons need. One query.

    Customer MRR is read from `mrr_since` on (the inactivity window): the MRR table's one index
    leads with the month, so a bounded month range keeps the lookup an index range scan instead of
    a scan of every partner's rows for each registration (400 ms on the demo data, issue 14).
    """
    deals = Deal.objects.filter(partner=partner, domain=OuterRef("domain"))
    of_domain = {"deal__partner": partner, "deal__domain": OuterRef("domain")}
    return (
        DomainRegistration.objects.filter(partner=partner, status__in=LIVE_STATUSES)
        .annotate(
            has_deal=Exists(deals.exclude(status=DealStatus.REJECTED)),
            last_event=_latest(RegistrationEvent.objects.filter(registration=OuterRef("pk")), "at"),
            last_note=_latest(DealNote.objects.filter(**of_domain), "created_at"),
            last_deal_event=_latest(DealEvent.objects.filter(**of_domain), "at"),
            last_mrr_month=_latest(
                customer_mrr_months(partner=partner).filter(month__gte=mrr_since, customer_domain=OuterRef("domain")),
                "month",
            ),
        )
        .order_by("submitted_at", "pk")
    )


def _last_activity(row: DomainRegistration) -> dt.date:
    days = [timezone.localdate(at) for at in (row.last_event, row.last_note, row.last_deal_event) if at is not None]
    if row.last_mrr_month is not None:
        days.append(month_end(row.last_mrr_month))
    return max(days, default=timezone.localdate(row.submitted_at))


def ranking_for(*, partner: Partner, today: dt.date, config: RegistrationConfig | None = None) -> Ranking:
    """Every live registration of `partner` with its reasons, highest score first (then oldest first)."""
    config = config or RegistrationConfig.get()
    countries_set = {str(code) for code in partner.operating_countries}
    industries_set = set(partner.industries)
    candidates = []
    mrr_since = month_start(today - dt.timedelta(days=config.inactivity_days))
    for row in _live_with_facts(partner, mrr_since=mrr_since):
        last = _last_activity(row)
        idle = max(0, (today - last).days)
        expiring = (
            row.status == RegistrationStatus.REGISTERED
            and row.expires_on is not None
            and row.expires_on <= today + dt.timedelta(days=config.reminder_days)
        )
        candidates.append(
            Candidate(
                registration=row,
                last_activity=last,
                idle_days=idle,
                no_deal=not row.has_deal,
                inactive=idle >= config.inactivity_days,
                country_outside=bool(countries_set and row.country and row.country not in countries_set),
                industry_outside=bool(industries_set and row.industry and row.industry not in industries_set),
                expires_in=(row.expires_on - today).days if expiring else None,
            )
        )
    # `candidates` is oldest first here: the first quarter are the oldest.
    for candidate in candidates[: math.floor(len(candidates) * OLDEST_SHARE)]:
        candidate.oldest = True
    for candidate in candidates:
        candidate.reasons = _reasons(candidate)
    candidates.sort(key=lambda c: -c.score)  # stable: equal scores stay oldest first
    return Ranking(
        partner=partner,
        cap=registration_cap(partner=partner, on=today, config=config),
        candidates=candidates,
        inactivity_days=config.inactivity_days,
        countries_set=bool(countries_set),
        industries_set=bool(industries_set),
    )


def _reasons(c: Candidate) -> list[Reason]:
    """The reasons to release `c`, each with its evidence, in the reader's language."""
    row = c.registration
    reasons = []
    if c.country_outside:
        text = _("Customer country %(country)s is outside your operating countries.") % {
            "country": countries.name(row.country) or row.country
        }
        reasons.append(Reason("country", text))
    if c.industry_outside:
        text = _("Industry %(industry)s is outside your target industries.") % {
            "industry": Industry(row.industry).label
        }
        reasons.append(Reason("industry", text))
    if c.no_deal:
        reasons.append(Reason("no_deal", _("No deal registered for this domain.")))
    if c.inactive:
        text = ngettext(
            "No activity for %(days)s day (last on %(date)s).",
            "No activity for %(days)s days (last on %(date)s).",
            c.idle_days,
        ) % {"days": c.idle_days, "date": date_format(c.last_activity, "DATE_FORMAT")}
        reasons.append(Reason("inactive", text))
    if c.expires_in is not None:
        text = ngettext(
            "Expires on %(date)s (in %(days)s day).", "Expires on %(date)s (in %(days)s days).", c.expires_in
        ) % {"date": date_format(row.expires_on, "DATE_FORMAT"), "days": c.expires_in}
        reasons.append(Reason("expiring", text))
    if c.oldest:
        text = _("Registered on %(date)s: among your oldest.") % {
            "date": date_format(timezone.localdate(row.submitted_at), "DATE_FORMAT")
        }
        reasons.append(Reason("oldest", text))
    return reasons
