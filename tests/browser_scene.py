"""Realistic data for the layout and accessibility browser tests: long names, many rows, a chart.

Built with today's real date (the live server and the browser run on the real clock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from api.services import api_token_create
from community.models import DeibCohort, HugEvent, HugGroup, PugApplication, PugGroup, PugReviewCycle, PugStatus
from enablement.models import (
    Accreditation,
    AccreditationEligibility,
    ApplicationWindow,
    AwardStatus,
    Certification,
    ImpactAward,
    PartnerAccreditation,
)
from portal.models import Partner, Role, Tier, User
from registrations.models import RegistrationStatus
from tests.factories import DealFactory, DomainRegistrationFactory, PartnerFactory, PartnerUserFactory
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, snapshot_make

D = Decimal
LONG = "international-enterprise-solutions-holdings-group"
STATUSES = [
    RegistrationStatus.REGISTERED,
    RegistrationStatus.PENDING,
    RegistrationStatus.RELEASED,
    RegistrationStatus.EXPIRED,
    RegistrationStatus.REJECTED,
]


@dataclass
class Scene:
    partner: Partner
    deal_id: int
    hug_id: int
    pug_group_id: int
    released_id: int


def build_scene(*, partner: Partner, admin: User, cam: User) -> Scene:
    """A Platinum partner at risk with two years of history, 40 domains, 12 deals, programmes and awards."""
    today = timezone.localdate()
    now = timezone.now()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    partner.tier = Tier.PLATINUM
    partner.tier_since = today - dt.timedelta(days=300)
    partner.save()
    rule_set = rule_set_make()  # Gold 1,000 points, Platinum 4,000
    months = months_back(last, 24)
    for i, month in enumerate(months):
        # Falling from 3,400 to 2,250 points: Gold every month, and negative year-over-year growth.
        sales = D(2400) - D(35) * i
        snapshot_make(
            partner=partner, month=month, rule_set=rule_set, sales=sales, managed=D(1000) - D(15) * i, tier=Tier.GOLD
        )
    for i in range(30):
        mrr_make(
            partner=partner,
            month=last,
            domain=f"{LONG}-{i:02d}.example.co.jp",
            country=["JP", "BR", "US", "IN"][i % 4],
            currency=["JPY", "USD", "USD", "USD"][i % 4],
            sold=[240000, 1500, 900, 700][i % 4],
            managed=[120000, 600, 500, 300][i % 4],
        )
    released = None
    for i in range(40):
        status = STATUSES[i % len(STATUSES)]
        registration = DomainRegistrationFactory(
            partner=partner,
            domain=f"{LONG}-prospect-{i:02d}.example.co.jp",
            company_name=f"International Enterprise Solutions Holdings Group {i:02d} Kabushiki Kaisha",
            status=status,
            submitted_by=admin,
            submitted_at=now - dt.timedelta(days=40 - i),
            expires_on=today + dt.timedelta(days=5 + i * 4) if status != RegistrationStatus.PENDING else None,
        )
        if status == RegistrationStatus.RELEASED and released is None:
            released = registration
    deals = [
        DealFactory(
            partner=partner,
            submitted_by=admin,
            company_name=f"Pan-Pacific Manufacturing and Logistics Corporation {i:02d}",
            domain=f"pan-pacific-manufacturing-logistics-{i:02d}.example.com",
            submitted_at=now - dt.timedelta(days=i),
        )
        for i in range(12)
    ]
    for i in range(30):
        PartnerFactory(cam=cam, name=f"Book Partner With A Rather Long Trading Name {i:02d}")
    for i in range(5):
        PartnerUserFactory(
            partner=partner,
            role=Role.PARTNER_MEMBER,
            email=f"colleague.with.a.long.address.{i}@own-agency.example.co.jp",
        )
    api_token_create(user=admin, name="CRM sync (production)")
    api_token_create(user=cam, name="Queue export")
    cycle = PugReviewCycle.objects.create(
        name=f"{today.year} browser cycle",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        cohort_starts_on=today - dt.timedelta(days=5),
        cohort_ends_on=today + dt.timedelta(days=180),
    )
    groups = [
        PugGroup.objects.create(
            name=f"Revenue operations leaders Asia-Pacific {i}",
            role="operations",
            region="japan",
            champion="Aiko Tanaka",
        )
        for i in range(8)
    ]
    PugApplication.objects.create(
        group=groups[0], cycle=cycle, partner=partner, submitted_by=admin, status=PugStatus.ACCEPTED
    )
    for other in Partner.objects.filter(cam=cam).exclude(pk=partner.pk)[:6]:
        PugApplication.objects.create(group=groups[1], cycle=cycle, partner=other)
    DeibCohort.objects.create(
        name=f"{today.year} browser cohort",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=30),
    )
    hug = HugGroup.objects.create(
        name="Tokyo Marketing Automation HUG",
        topic="automation",
        region="japan",
        language="ja",
        format="in_person",
        city="Tokyo",
    )
    HugEvent.objects.create(group=hug, title="September meetup", starts_at=now - dt.timedelta(days=70))
    HugEvent.objects.create(group=hug, title="Workflows 101", starts_at=now + dt.timedelta(days=12), location="Shibuya")
    accreditation = Accreditation.objects.create(code="advanced-crm", name="Advanced CRM Implementation")
    AccreditationEligibility.objects.create(
        accreditation=accreditation, tier=Tier.PLATINUM, available_from=dt.date(2022, 12, 1)
    )
    pso = Accreditation.objects.create(code="pso", name="Platform Enablement (PSO)")
    AccreditationEligibility.objects.create(accreditation=pso, tier=Tier.DIAMOND, available_from=dt.date(2022, 7, 1))
    ApplicationWindow.objects.create(
        name=f"{today.year} browser window",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=20),
    )
    PartnerAccreditation.objects.create(
        partner=partner,
        accreditation=pso,
        granted_on=today - dt.timedelta(days=100),
        next_review_on=today + dt.timedelta(days=80),
    )
    for i in range(15):
        Certification.objects.create(
            partner=partner,
            holder_name=f"Consultant Number {i:02d}",
            name="Inbound Marketing Software Certification",
            issued_on=today - dt.timedelta(days=300 + i),
            expires_on=today + dt.timedelta(days=30 * i - 60),
        )
    ImpactAward.objects.create(
        year=today.year - 1,
        region="japan",
        category="customer_first",
        partner=partner,
        citation="Outstanding customer reviews across the year.",
        status=AwardStatus.PUBLISHED,
    )
    return Scene(
        partner=partner, deal_id=deals[0].pk, hug_id=hug.pk, pug_group_id=groups[0].pk, released_id=released.pk
    )


def partner_pages(scene: Scene) -> list[str]:
    return [
        "/",
        "/tiers/",
        "/registrations/",
        "/registrations/deals/",
        f"/registrations/deals/{scene.deal_id}/",
        "/community/",
        f"/community/pug/{scene.pug_group_id}/",
        "/community/hug/",
        f"/community/hug/{scene.hug_id}/",
        "/community/deib/",
        "/community/black-at-inbound/",
        "/enablement/",
        "/enablement/awards/",
        "/team/",
        "/api/v1/tokens/",
        "/accounts/password_change/",
    ]


def cam_pages(scene: Scene) -> list[str]:
    return [
        "/",
        "/tiers/book/",
        f"/tiers/partners/{scene.partner.partner_id}/",
        "/registrations/queue/",
        f"/registrations/deals/{scene.deal_id}/",
        "/api/v1/tokens/",
    ]


STAFF_PAGES = [
    "/",
    "/tiers/whatif/",
    "/tiers/at-risk/",
    "/community/review/",
    "/community/review/hug-flags/",
    "/enablement/awards/",
]
