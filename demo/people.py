"""Demo partners and logins: the part of the demo data every app builds on."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import Group

from portal.access import AUDITORS, GROUP_NAMES, PARTNER_OPERATIONS, PROGRAMME_MANAGERS, REVIEWERS, groups_ensure
from portal.models import Partner, PartnerKind, Region, Role, User

# (country, region): the partner base's spread over the five regions.
COUNTRIES: list[tuple[str, str]] = [
    ("US", Region.NORTH_AMERICA),
    ("US", Region.NORTH_AMERICA),
    ("US", Region.NORTH_AMERICA),
    ("CA", Region.NORTH_AMERICA),
    ("MX", Region.LATIN_AMERICA),
    ("BR", Region.LATIN_AMERICA),
    ("CO", Region.LATIN_AMERICA),
    ("AR", Region.LATIN_AMERICA),
    ("CL", Region.LATIN_AMERICA),
    ("GB", Region.EMEA),
    ("GB", Region.EMEA),
    ("DE", Region.EMEA),
    ("FR", Region.EMEA),
    ("NL", Region.EMEA),
    ("ES", Region.EMEA),
    ("ZA", Region.EMEA),
    ("IE", Region.EMEA),
    ("AU", Region.APAC),
    ("AU", Region.APAC),
    ("SG", Region.APAC),
    ("IN", Region.APAC),
    ("MY", Region.APAC),
    ("PH", Region.APAC),
    ("NZ", Region.APAC),
    ("KR", Region.APAC),
    ("JP", Region.JAPAN),
    ("JP", Region.JAPAN),
    ("JP", Region.JAPAN),
]
FIRST = [
    "Blue",
    "Bright",
    "North",
    "Summit",
    "Harbor",
    "Sakura",
    "Cedar",
    "Atlas",
    "Nimbus",
    "Vertex",
    "Lumen",
    "Pioneer",
    "Orbit",
    "Maple",
    "Coral",
    "Granite",
    "Aurora",
    "Kite",
    "Beacon",
    "Fuji",
]
SECOND = [
    "Growth",
    "Digital",
    "Inbound",
    "Pixel",
    "Funnel",
    "Signal",
    "Spark",
    "Loop",
    "Ridge",
    "Wave",
    "Compass",
    "Lantern",
    "Bridge",
    "Anchor",
    "Craft",
    "Forge",
    "Rocket",
    "Harvest",
    "Prism",
    "Tide",
]
SUFFIX = ["Agency", "Partners", "Labs", "Studio", "Group", "Consulting", "Co.", "Collective"]
PEOPLE = [
    "Aiko Tanaka",
    "Ben Carter",
    "Carla Mendes",
    "Dev Patel",
    "Emma Schulz",
    "Farid Haddad",
    "Grace Kim",
    "Hiro Sato",
    "Ines Garcia",
    "Jonas Berg",
    "Kavya Rao",
    "Liam O'Brien",
    "Mei Chen",
    "Nia Okafor",
    "Oscar Silva",
    "Priya Nair",
    "Quinn Walsh",
    "Rosa Lopez",
    "Sam Lee",
    "Tomoko Ito",
    "Uma Singh",
    "Victor Dubois",
    "Wen Zhou",
    "Yuki Mori",
]

DEMO_PARTNER_ID = "P00001"
PARTNER_COUNT = 320
PROVIDER_SHARE = 0.1
CAM_COUNT = 24
CC_COUNT = 8


@dataclass(frozen=True)
class DemoPeople:
    partners: list[Partner]
    cams: list[User]
    staff: User
    demo_partner: Partner
    demo_cam: User


# One demo login per staff duty (portal.access.GROUPS); admin@example.com holds them all.
DUTY_LOGINS = {
    "manager@example.com": (PROGRAMME_MANAGERS, "Morgan Manager"),
    "reviewer@example.com": (REVIEWERS, "Riley Reviewer"),
    "operations@example.com": (PARTNER_OPERATIONS, "Oakley Operations"),
    "auditor@example.com": (AUDITORS, "Avery Auditor"),
}


def _groups_assign() -> None:
    groups_ensure()
    groups = {group.name: group for group in Group.objects.filter(name__in=GROUP_NAMES)}
    User.objects.get(email="admin@example.com").groups.set(groups.values())
    for email, (name, _full_name) in DUTY_LOGINS.items():
        User.objects.get(email=email).groups.set([groups[name]])


def seed_people(*, rng: random.Random, password: str, today: dt.date) -> DemoPeople:
    """Create staff, CAMs, CCs, partners and their logins, deterministically.

    1. Programme staff admin@example.com; CAMs (cam@example.com first) and CCs.
    2. Partners P00001…: the first is the demo partner, a Japanese solutions partner.
    3. An org admin (and for some a member) per partner; partner@example.com for P00001.
    """
    hashed = User(email="x")
    hashed.set_password(password)
    password_hash = hashed.password

    def user(email: str, role: str, **extra: object) -> User:
        return User(email=email, role=role, password=password_hash, full_name=extra.pop("full_name", ""), **extra)

    staff = user("admin@example.com", Role.STAFF, is_staff=True, is_superuser=True, full_name="Programme Admin")
    cams = [user("cam@example.com", Role.CAM, full_name="Casey Morgan")]
    cams += [
        user(f"cam{i:02d}@example.com", Role.CAM, full_name=PEOPLE[i % len(PEOPLE)]) for i in range(2, CAM_COUNT + 1)
    ]
    ccs = [user(f"cc{i:02d}@example.com", Role.CC, full_name=PEOPLE[-i % len(PEOPLE)]) for i in range(1, CC_COUNT + 1)]
    duty_logins = [
        user(email, Role.STAFF, is_staff=True, full_name=full_name)
        for email, (_group, full_name) in DUTY_LOGINS.items()
    ]
    User.objects.bulk_create([staff, *duty_logins, *cams, *ccs])
    _groups_assign()
    cams = list(User.objects.filter(role=Role.CAM).order_by("email"))
    cams.sort(key=lambda u: u.email != "cam@example.com")
    ccs = list(User.objects.filter(role=Role.CC).order_by("email"))

    partners = []
    start = today.replace(day=1) - dt.timedelta(days=365 * 6)
    for index in range(1, PARTNER_COUNT + 1):
        if index == 1:
            country, region, kind = "JP", Region.JAPAN, PartnerKind.SOLUTIONS_PARTNER
            name = "Sakura Growth Partners"
            joined = dt.date(2019, 4, 1)
        else:
            country, region = rng.choice(COUNTRIES)
            kind = PartnerKind.PROVIDER if rng.random() < PROVIDER_SHARE else PartnerKind.SOLUTIONS_PARTNER
            name = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(SUFFIX)}"
            joined = start + dt.timedelta(days=rng.randrange(0, 365 * 6))
        partners.append(
            Partner(
                partner_id=f"P{index:05d}",
                name=name,
                kind=kind,
                country=country,
                region=region,
                joined_on=min(joined, today),
                # Most of the book of cam@example.com is a realistic 14 partners.
                cam=cams[0] if index <= 14 else cams[1 + index % (len(cams) - 1)],
                cc=ccs[index % len(ccs)],
            )
        )
    Partner.objects.bulk_create(partners)
    partners = list(Partner.objects.order_by("partner_id"))

    logins = []
    for partner in partners:
        slug = partner.partner_id.lower()
        admin_email = "partner@example.com" if partner.partner_id == DEMO_PARTNER_ID else f"admin@{slug}.example.com"
        logins.append(user(admin_email, Role.PARTNER_ADMIN, partner=partner, full_name=rng.choice(PEOPLE)))
        if partner.partner_id == DEMO_PARTNER_ID or rng.random() < 0.3:
            member_email = (
                "member@example.com" if partner.partner_id == DEMO_PARTNER_ID else f"member@{slug}.example.com"
            )
            logins.append(user(member_email, Role.PARTNER_MEMBER, partner=partner, full_name=rng.choice(PEOPLE)))
    User.objects.bulk_create(logins)
    return DemoPeople(
        partners=partners,
        cams=cams,
        staff=User.objects.get(email="admin@example.com"),
        demo_partner=partners[0],
        demo_cam=cams[0],
    )
