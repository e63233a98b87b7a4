"""Demo registrations: a few hundred domains across statuses, partners over cap with holds, deals with notes.

Rows are bulk-created (fast); the states they show are ones the services would
produce, and `compliance_check` runs at the end so holds match the data.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from portal.models import Partner, Role, User
from portal.months import add_months
from registrations.models import (
    CommissionHold,
    Currency,
    Deal,
    DealEvent,
    DealNote,
    DealStage,
    DomainRegistration,
    Product,
    RegistrationConfig,
    RegistrationEvent,
)
from registrations.services import compliance_check

WORDS = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "tyrell",
    "soylent",
    "cyberdyne",
    "wonka",
    "oscorp",
    "vandelay",
    "massive",
    "nakatomi",
    "kaiju",
    "mizuho",
    "hoshi",
    "kumo",
    "yama",
]
TLDS = ["com", "co.jp", "io", "de", "co.uk", "com.au", "fr", "jp", "net", "org"]
STATUSES_HISTORY = ["expired", "released", "rejected"]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.n = rng, 0

    def domain(self) -> tuple[str, str]:
        self.n += 1
        a, b = self.rng.choice(WORDS), self.rng.choice(WORDS)
        return f"{a}-{b}{self.n}.{self.rng.choice(TLDS)}", f"{a.title()} {b.title()} {self.n}"


def _registration(
    partner: Partner,
    status: str,
    names: _Names,
    *,
    today: dt.date,
    rng: random.Random,
    config: RegistrationConfig,
    expires_in: int | None = None,
) -> DomainRegistration:
    domain, company = names.domain()
    age = rng.randint(1, 20) if status == "pending" else rng.randint(20, 400)
    submitted = timezone.now() - dt.timedelta(days=age, hours=rng.randint(0, 23))
    row = DomainRegistration(
        partner=partner,
        domain=domain,
        company_name=company,
        status=status,
        submitted_at=submitted,
        country=str(partner.country),
    )
    if status in ("registered", "expired"):
        if expires_in is None:
            expires_in = rng.randint(15, 170) if status == "registered" else -rng.randint(1, 200)
        row.expires_on = today + dt.timedelta(days=expires_in)
        row.approved_at = timezone.make_aware(
            dt.datetime.combine(add_months(row.expires_on, -config.validity_months), dt.time(9))
        )
        row.submitted_at = min(row.submitted_at, row.approved_at - dt.timedelta(days=2))
        row.decided_at = row.approved_at
    elif status == "rejected":
        row.decided_at = submitted + dt.timedelta(days=2)
        row.decision_reason = "Existing customer of the direct sales team"
    return row


def _events(rows: list[DomainRegistration]) -> list[RegistrationEvent]:
    events = []
    for row in rows:
        events.append(
            RegistrationEvent(
                registration=row, at=row.submitted_at, actor=row.submitted_by, to_status="pending", reason="submitted"
            )
        )
        if row.status in ("registered", "expired", "released"):
            events.append(
                RegistrationEvent(
                    registration=row,
                    at=row.approved_at or row.submitted_at,
                    actor=row.decided_by,
                    from_status="pending",
                    to_status="registered",
                )
            )
        if row.status == "rejected":
            events.append(
                RegistrationEvent(
                    registration=row,
                    at=row.decided_at,
                    actor=row.decided_by,
                    from_status="pending",
                    to_status="rejected",
                    reason=row.decision_reason,
                )
            )
        if row.status in ("expired", "released"):
            job = "expire_registrations" if row.status == "expired" else ""
            events.append(
                RegistrationEvent(
                    registration=row,
                    at=timezone.now(),
                    job=job,
                    actor=None if job else row.submitted_by,
                    from_status="registered",
                    to_status=row.status,
                )
            )
    return events


def seed(*, rng: random.Random, people, today: dt.date) -> None:
    config = RegistrationConfig.get()
    partners = list(Partner.objects.select_related("cam").order_by("partner_id"))  # tiers may have changed them
    admins = {u.partner_id: u for u in User.objects.filter(role=Role.PARTNER_ADMIN)}
    names = _Names(rng)
    rows: list[DomainRegistration] = []

    def add(partner: Partner, status: str, **kw) -> None:
        row = _registration(partner, status, names, today=today, rng=rng, config=config, **kw)
        row.submitted_by = admins.get(partner.pk)
        if row.decided_at:
            row.decided_by = partner.cam
        rows.append(row)

    demo = partners[0]
    cap = config.cap_for(demo)
    # The demo partner: two below its cap, three expiring within the reminder window, a history.
    for i in range(cap - 2):
        status = "pending" if i < 2 else "registered"
        add(demo, status, expires_in=[3, 9, 13][i - 2] if 2 <= i < 5 else None)
    for status in STATUSES_HISTORY * 2:
        add(demo, status)
    # The rest of cam@example.com's book: pending ones in the approval queue.
    for partner in partners[1:14]:
        for _ in range(rng.randint(1, 3)):
            add(partner, "pending")
        for _ in range(rng.randint(1, 4)):
            add(partner, rng.choice(["registered", "registered", *STATUSES_HISTORY]))
    # Across the base: a spread of statuses.
    for partner in rng.sample(partners[14:], k=min(60, len(partners) - 14)):
        for _ in range(rng.randint(1, 5)):
            add(partner, rng.choice(["registered", "registered", "pending", *STATUSES_HISTORY]))
    # A few partners over their cap: nothing was deregistered when caps took effect.
    over = rng.sample(partners[14:], k=3)
    for partner in over:
        for _ in range(config.cap_for(partner) + rng.randint(1, 4)):
            add(partner, "registered")
    DomainRegistration.objects.bulk_create(rows)
    RegistrationEvent.objects.bulk_create(_events(rows))
    _seed_over_cap_partner(partners=partners[1:14], rows=rows, admins=admins, today=today, config=config)
    # One partner that was over cap and came back within it: a closed hold in its history.
    CommissionHold.objects.create(
        partner=partners[20],
        started_on=config.compliance_deadline,
        ended_on=config.compliance_deadline + dt.timedelta(days=45),
        live_at_start=14,
        cap_at_start=10,
    )
    compliance_check(on=max(today, config.compliance_deadline))
    _seed_deals(rng=rng, partners=partners, admins=admins, today=today, names=names)


# The over-cap partner the cap reduction assistant is shown with: (domain, company, country — "" for the
# partner's own —, industry, days since submitted, pending?, expires in days, a deal with a recent note?).
OVER_CAP_ROWS = [
    ("vendas-brasil.com.br", "Vendas Brasil", "BR", "retail", 300, False, 120, False),
    ("kaapstad-travel.co.za", "Kaapstad Travel", "ZA", "travel", 260, False, 95, False),
    ("mumbai-clinics.in", "Mumbai Clinics", "IN", "healthcare", 240, False, 60, False),
    ("corner-bakery.example", "Corner Bakery", "", "retail", 200, False, 40, False),
    ("harbour-hotels.example", "Harbour Hotels", "", "travel", 180, False, 10, False),
    ("quiet-logistics.example", "Quiet Logistics", "", "software", 170, False, 8, False),
    ("old-ledger.example", "Old Ledger", "", "professional_services", 160, False, 30, False),
    ("brightdesk-saas.example", "Brightdesk", "", "software", 40, False, 150, True),
    ("northwind-advisory.example", "Northwind Advisory", "", "professional_services", 25, False, 160, True),
    ("cloudnine-apps.example", "Cloudnine Apps", "", "software", 12, False, 170, True),
    ("fresh-lead.example", "Fresh Lead", "", "software", 3, True, None, False),
    ("ledgerline.example", "Ledgerline", "", "professional_services", 60, False, 120, True),
    ("tallyho-crm.example", "Tallyho CRM", "", "software", 90, False, 100, True),
    ("granite-accounting.example", "Granite Accounting", "", "professional_services", 100, False, 80, True),
]
OVER_CAP_BY = 6


def _seed_over_cap_partner(
    *, partners: list[Partner], rows: list[DomainRegistration], admins: dict, today: dt.date, config: RegistrationConfig
) -> None:
    """One partner of cam@example.com's book clearly over its cap, for the cap reduction assistant.

    It operates in its own country, targets software and professional services, and holds
    registrations abroad, in other industries, without deals, stale and expiring (no random numbers:
    the rest of the demo's draws stay as they were).
    """
    candidates = [p for p in partners if p.kind == "solutions_partner"] or partners
    partner = min(candidates, key=lambda p: (config.cap_for(p), p.partner_id))
    partner.operating_countries = [str(partner.country)]
    partner.industries = ["software", "professional_services"]
    partner.save(update_fields=["operating_countries", "industries"])
    live = sum(1 for row in rows if row.partner_id == partner.pk and row.status in ("pending", "registered"))
    wanted = max(0, config.cap_for(partner) + OVER_CAP_BY - live)
    admin, now = admins.get(partner.pk), timezone.now()
    mine, deals = [], []
    specs = OVER_CAP_ROWS[:wanted]
    # A larger cap than the table covers: more of the same, in the partner's country and industries.
    specs += [
        (f"steady-client{n}.example", f"Steady Client {n}", "", "software", 30 + n, False, 120, True)
        for n in range(1, wanted - len(specs) + 1)
    ]
    for domain, company, country, industry, age, pending, expires_in, deal in specs:
        submitted = now - dt.timedelta(days=age)
        row = DomainRegistration(
            partner=partner,
            domain=domain,
            company_name=company,
            country=country or str(partner.country),
            industry=industry,
            status="pending" if pending else "registered",
            submitted_at=submitted,
            submitted_by=admin,
        )
        if not pending:
            row.expires_on = today + dt.timedelta(days=expires_in)
            row.approved_at = row.decided_at = submitted + dt.timedelta(days=2)
            row.decided_by = partner.cam
        mine.append(row)
        if deal:
            deals.append(
                Deal(
                    partner=partner,
                    company_name=company,
                    domain=domain,
                    products=["sales"],
                    expected_mrr=Decimal(1200),
                    currency=Currency.USD,
                    stage=DealStage.PROPOSAL,
                    expected_close_on=today + dt.timedelta(days=45),
                    status="approved",
                    submitted_at=submitted + dt.timedelta(days=3),
                    submitted_by=admin,
                    decided_by=partner.cam,
                    decided_at=submitted + dt.timedelta(days=4),
                )
            )
    DomainRegistration.objects.bulk_create(mine)
    RegistrationEvent.objects.bulk_create(_events(mine))
    Deal.objects.bulk_create(deals)
    DealNote.objects.bulk_create(
        [
            DealNote(
                deal=d, author=admin, body="Workshop booked with their team.", created_at=now - dt.timedelta(days=5)
            )
            for d in deals
            if admin is not None
        ]
    )


def _seed_deals(*, rng: random.Random, partners: list[Partner], admins: dict, today: dt.date, names: _Names) -> None:
    deals, chosen = [], partners[:14] + rng.sample(partners[14:], k=20)
    for partner in chosen:
        for _ in range(3 if partner is partners[0] else rng.randint(1, 2)):
            domain, company = names.domain()
            status = rng.choice(["pending", "pending", "approved", "rejected"])
            deals.append(
                Deal(
                    partner=partner,
                    company_name=company,
                    domain=domain,
                    products=rng.sample(Product.values[:5], k=rng.randint(1, 2)) if rng.random() < 0.8 else ["suite"],
                    expected_mrr=Decimal(rng.randrange(300, 9000)),
                    currency=rng.choice(["USD", "USD", "EUR", "JPY", "GBP"])
                    if partner is not partners[0]
                    else Currency.JPY,
                    stage=rng.choice(DealStage.values[:4]),
                    expected_close_on=today + dt.timedelta(days=rng.randint(20, 150)),
                    partner_is_owner=rng.random() < 0.7,
                    sales_rep_name="Sally Rep",
                    sales_rep_email="sally.rep@example.com",
                    status=status,
                    submitted_at=timezone.now() - dt.timedelta(days=rng.randint(1, 40)),
                    submitted_by=admins.get(partner.pk),
                    decided_by=partner.cam if status != "pending" else None,
                    decided_at=timezone.now() if status != "pending" else None,
                    decision_reason="Already in the direct pipeline" if status == "rejected" else "",
                )
            )
    if deals and deals[0].partner is partners[0]:
        deals[0].currency = Currency.JPY
        deals[0].expected_mrr = Decimal("480000")
    Deal.objects.bulk_create(deals)
    events, notes = [], []
    for deal in deals:
        events.append(
            DealEvent(deal=deal, at=deal.submitted_at, actor=deal.submitted_by, to_status="pending", reason="submitted")
        )
        if deal.status != "pending":
            events.append(
                DealEvent(
                    deal=deal,
                    at=deal.decided_at,
                    actor=deal.decided_by,
                    from_status="pending",
                    to_status=deal.status,
                    reason=deal.decision_reason,
                )
            )
        if rng.random() < 0.6:
            notes.append(
                DealNote(
                    deal=deal,
                    author=deal.submitted_by,
                    body="Champion is the CMO; budget confirmed for Q3.",
                    created_at=deal.submitted_at + dt.timedelta(hours=2),
                )
            )
            notes.append(
                DealNote(
                    deal=deal,
                    author=deal.partner.cam,
                    body="Looping in the regional sales rep for the demo.",
                    created_at=deal.submitted_at + dt.timedelta(days=1),
                )
            )
    DealEvent.objects.bulk_create(events)
    DealNote.objects.bulk_create(notes)
