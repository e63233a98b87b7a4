"""Demo data for the community programmes: deterministic (one rng), bulk-created, fast."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone, translation

from community.models import (
    BlackAtInboundMembership,
    DeibApplication,
    DeibCohort,
    DeibSelfIdentification,
    ExecutiveSponsor,
    HugEvent,
    HugFormat,
    HugGroup,
    HugLanguage,
    HugLeaderApplication,
    HugMembership,
    HugTopic,
    MeetingCadence,
    PugApplication,
    PugGroup,
    PugReviewCycle,
    PugRole,
    PugStatus,
)
from portal.models import Region, Role, User

CITIES = {
    Region.NORTH_AMERICA: ["Boston", "New York", "Chicago", "Austin", "Denver", "Seattle", "Toronto", "Vancouver"],
    Region.LATIN_AMERICA: ["São Paulo", "Bogotá", "Mexico City", "Buenos Aires", "Santiago", "Lima"],
    Region.EMEA: ["London", "Dublin", "Berlin", "Paris", "Amsterdam", "Madrid", "Cape Town", "Stockholm"],
    Region.APAC: ["Sydney", "Melbourne", "Singapore", "Bangalore", "Manila", "Auckland", "Seoul"],
    Region.JAPAN: ["Tokyo", "Osaka", "Nagoya", "Fukuoka", "Sapporo"],
}
REGION_LANGUAGES = {
    Region.NORTH_AMERICA: [HugLanguage.EN],
    Region.LATIN_AMERICA: [HugLanguage.ES, HugLanguage.PT],
    Region.EMEA: [HugLanguage.EN, HugLanguage.DE, HugLanguage.FR, HugLanguage.NL, HugLanguage.ES],
    Region.APAC: [HugLanguage.EN],
    Region.JAPAN: [HugLanguage.JA],
}
CHAMPIONS = [
    "Aiko Tanaka",
    "Ben Carter",
    "Carla Mendes",
    "Dev Patel",
    "Emma Schulz",
    "Grace Kim",
    "Hiro Sato",
    "Nia Okafor",
]
# A group's events are titled in the group's language, as its leaders would write them.
EVENT_TITLES = ["Meetup", "Workshop", "Office hours", "Breakfast club", "Show and tell"]
EVENT_TITLES_JA = ["ミートアップ", "ワークショップ", "相談会", "朝活", "事例共有会"]
SPONSORS = [
    ("Jordan Rivera", "Chief Customer Officer"),
    ("Sam Okoye", "SVP Partnerships"),
    ("Alex Chen", "Chief Revenue Officer"),
    ("Morgan Lee", "VP Partner Success"),
    ("Taylor Brooks", "Chief People Officer"),
    ("Robin Hayes", "SVP Sales"),
]


def seed(*, rng: random.Random, people, today: dt.date) -> None:
    partner_users = list(
        User.objects.filter(partner__isnull=False).select_related("partner").order_by("partner__partner_id", "email")
    )
    admins = {u.partner_id: u for u in partner_users if u.role == Role.PARTNER_ADMIN}
    _seed_pug(rng=rng, people=people, today=today, admins=admins)
    _seed_hug(rng=rng, people=people, today=today, partner_users=partner_users)
    _seed_deib(rng=rng, people=people, today=today, admins=admins)
    members = rng.sample(partner_users, k=min(40, len(partner_users)))
    members += [u for u in partner_users if u.email == "member@example.com" and u not in members]
    BlackAtInboundMembership.objects.bulk_create([BlackAtInboundMembership(user=u) for u in members])


def _seed_pug(*, rng: random.Random, people, today: dt.date, admins: dict) -> None:
    """25 groups (role × region); a cohort running since last cycle and a cycle open today with applications."""
    previous = PugReviewCycle.objects.create(
        name=f"PUG {(today - dt.timedelta(days=180)):%Y-%m}",
        opens_on=today - dt.timedelta(days=200),
        closes_on=today - dt.timedelta(days=170),
        cohort_starts_on=today - dt.timedelta(days=160),
        cohort_ends_on=today + dt.timedelta(days=20),
    )
    current = PugReviewCycle.objects.create(
        name=f"PUG {today:%Y-%m}",
        opens_on=today - dt.timedelta(days=14),
        closes_on=today + dt.timedelta(days=30),
        cohort_starts_on=today + dt.timedelta(days=31),
        cohort_ends_on=today + dt.timedelta(days=31 + 182),
    )
    groups = PugGroup.objects.bulk_create(
        [
            PugGroup(
                name=_pug_name(role, region),
                role=role,
                region=region,
                champion=rng.choice(CHAMPIONS),
                meeting_cadence=MeetingCadence.MONTHLY,
                description=_pug_description(role, region),
            )
            for role in PugRole
            for region in Region
        ]
    )
    by_region: dict[str, list] = {}
    for group in groups:
        by_region.setdefault(group.region, []).append(group)
    rows, now = [], timezone.now()
    demo = people.demo_partner
    rows.append(_pug_row(by_region[Region.JAPAN][0], previous, demo, admins, PugStatus.ACCEPTED, now))
    seen = {(by_region[Region.JAPAN][0].pk, previous.pk, demo.pk)}
    for partner in rng.sample(people.partners[1:], k=min(120, len(people.partners) - 1)):
        for cycle, status in (
            (previous, rng.choice([PugStatus.ACCEPTED] * 3 + [PugStatus.DECLINED])),
            (current, PugStatus.SUBMITTED),
        ):
            group = rng.choice(by_region[partner.region])
            if (group.pk, cycle.pk, partner.pk) in seen or partner.pk not in admins:
                continue
            seen.add((group.pk, cycle.pk, partner.pk))
            rows.append(_pug_row(group, cycle, partner, admins, status, now))
    # Respect capacity in the running cohort: the 21st acceptance of a group becomes a waitlisting.
    accepted: dict[int, int] = {}
    for row in rows:
        if row.status == PugStatus.ACCEPTED:
            accepted[row.group_id] = accepted.get(row.group_id, 0) + 1
            if accepted[row.group_id] > 20:
                row.status = PugStatus.WAITLISTED
    PugApplication.objects.bulk_create(rows)


def _pug_name(role: PugRole, region: Region) -> str:
    """Groups are named in their region's language (a Japanese group by its Japanese members)."""
    with translation.override("ja" if region == Region.JAPAN else "en"):
        return f"{role.label} · {region.label}"


def _pug_description(role: PugRole, region: Region) -> str:
    if region == Region.JAPAN:
        with translation.override("ja"):
            return f"{role.label}の担当者が毎月集まり、事例を共有するグループです。"
    return f"Monthly peer group for {str(role.label).lower()} leaders in {region.label}."


def _pug_row(group, cycle, partner, admins, status, now) -> PugApplication:
    decided = status != PugStatus.SUBMITTED
    return PugApplication(
        group=group,
        cycle=cycle,
        partner=partner,
        submitted_by=admins.get(partner.pk),
        status=status,
        decision_reason="Group focus does not match" if status == PugStatus.DECLINED else "",
        decided_at=now if decided else None,
    )


def _seed_hug(*, rng: random.Random, people, today: dt.date, partner_users: list) -> None:
    """240 groups across topics, regions and languages, two or three events each, some led by partners."""
    groups, seen = [], set()
    topics = list(HugTopic)
    while len(groups) < 240:
        region = rng.choice(list(Region))
        city = rng.choice(CITIES[region])
        topic = rng.choice(topics)
        fmt = HugFormat.IN_PERSON if rng.random() < 0.6 else HugFormat.ONLINE
        name = f"{city} {topic.label} HUG" if fmt == HugFormat.IN_PERSON else f"{topic.label} HUG online · {city}"
        if name in seen:
            continue
        seen.add(name)
        leader = rng.choice(people.partners) if rng.random() < 0.3 else None
        groups.append(
            HugGroup(
                name=name,
                topic=topic,
                region=region,
                language=rng.choice(REGION_LANGUAGES[region]),
                format=fmt,
                city=city if fmt == HugFormat.IN_PERSON else "",
                description=f"HubSpot users in {city} talking about {str(topic.label).lower()}.",
                leader_partner=leader if leader and leader.region == region else None,
            )
        )
    groups = HugGroup.objects.bulk_create(groups)
    now = timezone.now().replace(hour=18, minute=0, second=0, microsecond=0)
    events = []
    for group in groups:
        titles = EVENT_TITLES_JA if group.language == HugLanguage.JA else EVENT_TITLES
        for _ in range(rng.randint(1, 3)):
            events.append(
                HugEvent(
                    group=group,
                    title=rng.choice(titles),
                    starts_at=now + dt.timedelta(days=rng.randint(-200, 90)),
                    is_free=rng.random() < 0.85,
                    # Online events have no place; the page shows the group's format in the reader's language.
                    location=group.city,
                )
            )
    HugEvent.objects.bulk_create(events)
    memberships = {
        (g.pk, u.pk) for u in partner_users if rng.random() < 0.5 for g in rng.sample(groups, k=rng.randint(1, 4))
    }
    HugMembership.objects.bulk_create([HugMembership(group_id=g, user_id=u) for g, u in sorted(memberships)])
    open_groups = [g for g in groups if g.leader_partner_id is None]
    HugLeaderApplication.objects.bulk_create(
        [
            HugLeaderApplication(group=g, partner=u.partner, applicant=u, motivation="We host monthly meetups already.")
            for g, u in zip(rng.sample(open_groups, k=6), rng.sample(partner_users, k=6), strict=True)
        ]
    )


def _seed_deib(*, rng: random.Random, people, today: dt.date, admins: dict) -> None:
    """The H1 2022 pilot (5 selected and matched) and a cohort open today with a few applications."""
    sponsors = ExecutiveSponsor.objects.bulk_create([ExecutiveSponsor(name=n, title=t) for n, t in SPONSORS])
    pilot = DeibCohort.objects.create(
        name="H1 2022", opens_on=dt.date(2022, 1, 15), closes_on=dt.date(2022, 3, 31), capacity=5
    )
    current = DeibCohort.objects.create(
        name=f"DEI&B {today:%Y-%m}",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=40),
        capacity=5,
    )
    candidates = [p for p in people.partners[1:] if p.pk in admins]
    pilot_partners = rng.sample(candidates, k=8)
    current_partners = rng.sample([p for p in candidates if p not in pilot_partners], k=4)
    now = timezone.now()
    rows = [
        DeibApplication(
            cohort=pilot,
            partner=p,
            submitted_by=admins[p.pk],
            consent_at=now,
            status="selected" if i < 5 else "not_selected",
            sponsor=sponsors[i] if i < 5 else None,
            decision_reason="" if i < 5 else "Pilot cohort full",
            decided_at=now,
        )
        for i, p in enumerate(pilot_partners)
    ]
    rows += [
        DeibApplication(cohort=current, partner=p, submitted_by=admins[p.pk], consent_at=now) for p in current_partners
    ]
    rows = DeibApplication.objects.bulk_create(rows)
    DeibSelfIdentification.objects.bulk_create(
        [DeibSelfIdentification(application=a, owners_identify_as_poc=True, statement="") for a in rows]
    )
