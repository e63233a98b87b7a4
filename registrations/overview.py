"""Registrations' part of the programme overview on the staff home: caps, commission holds, decisions waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.access import has_perm
from portal.home import (
    OverviewSection,
    WaitingDecisions,
    decisions_waiting_provider,
    staff_overview_provider,
    waiting_by_age,
)
from portal.models import User
from registrations.models import CommissionHold, Deal, DealStatus, DomainRegistration, RegistrationStatus
from registrations.selectors import partners_over_cap


def _changelist(name: str, **params: str) -> str:
    return f"{reverse(f'admin:registrations_{name}_changelist')}?{urlencode(params)}"


@dataclass(frozen=True)
class CapFigures:
    over_cap: int
    over_cap_url: str
    holds: int
    holds_url: str


def cap_figures(*, today: dt.date) -> CapFigures:
    return CapFigures(
        over_cap=partners_over_cap(on=today).count(),
        over_cap_url=_changelist("domainregistration", over_cap="yes", status__in="pending,registered"),
        holds=CommissionHold.objects.filter(ended_on__isnull=True).count(),
        holds_url=_changelist("commissionhold", ended_on__isnull="True"),
    )


@staff_overview_provider
def registration_sections(*, user: User, today: dt.date) -> list[OverviewSection]:
    if not has_perm(user, "registrations.view_domainregistration"):
        return []
    return [
        OverviewSection(
            key="registration-caps",
            title=_("Registration caps and commission holds"),
            template="registrations/overview/_caps.html",
            data={"figures": cap_figures(today=today)},
            order=40,
        )
    ]


@decisions_waiting_provider
def registration_decisions(*, user: User, now: dt.datetime) -> list[WaitingDecisions]:
    if not has_perm(user, "registrations.view_domainregistration"):
        return []
    domains = waiting_by_age(
        DomainRegistration.objects.filter(status=RegistrationStatus.PENDING), since="submitted_at", now=now
    )
    deals = waiting_by_age(Deal.objects.filter(status=DealStatus.PENDING), since="submitted_at", now=now)
    return [
        WaitingDecisions(
            key="domain-registrations",
            label=_("Domain registrations (CAMs)"),
            url=_changelist("domainregistration", status__exact=RegistrationStatus.PENDING),
            order=10,
            **domains,
        ),
        WaitingDecisions(
            key="deals",
            label=_("Deal registrations (CAMs)"),
            url=_changelist("deal", status__exact=DealStatus.PENDING),
            order=20,
            **deals,
        ),
    ]
