"""A realistic portal for the Japanese UI check: every page has something to show, every status and choice occurs.

The viewing partner is Japanese (Sakura Digital, Japan region); free text people
typed (notes, motivations, reasons, citations) is Japanese, as a Japanese
partner, CAM and programme team would write it. Names of people, organisations,
groups and programmes stay as their owners spell them: they are listed in
`NAMES` so the check can tell them from UI text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from api.services import api_token_create, api_token_revoke
from community import services as community
from community.models import (
    AuditEntry as CommunityAudit,
)
from community.models import (
    BlackAtInboundMembership,
    DeibApplication,
    DeibCohort,
    DeibSelfIdentification,
    DeibStatus,
    ExecutiveSponsor,
    HugEvent,
    HugFormat,
    HugGroup,
    HugInactivityFlag,
    HugLanguage,
    HugLeaderApplication,
    HugMembership,
    HugTopic,
    LeadStatus,
    MeetingCadence,
    PugApplication,
    PugGroup,
    PugReviewCycle,
    PugRole,
    PugStatus,
)
from enablement.models import (
    Accreditation,
    AccreditationApplication,
    AccreditationEligibility,
    AccreditationMark,
    AccreditationStatus,
    ApplicationStatus,
    ApplicationWindow,
    AwardCategory,
    AwardStatus,
    Certification,
    ImpactAward,
    PartnerAccreditation,
)
from enablement.models import AuditEntry as EnablementAudit
from portal.models import (
    EmailKind,
    EmailOptOut,
    Industry,
    JobOutcome,
    JobRun,
    Partner,
    PartnerKind,
    Region,
    Role,
    Tier,
    User,
)
from registrations import services as registrations
from registrations.models import (
    CommissionHold,
    Deal,
    DealStage,
    DomainRegistration,
    Product,
    RegistrationConfig,
)
from tests.factories import TEST_PASSWORD
from tiers.models import Framework, ProgrammeTargets, RuleSetStatus, TierChange
from tiers.tests.dashboard_factories import months_back, mrr_make, rule_set_make, run_for, snapshot_make

D = Decimal
TODAY = dt.date(2026, 11, 28)
NOW = dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)  # 10:30 in Tokyo

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"
# Names as their owners spell them: people, organisations, groups, programmes, rule sets.
# Short names too: the admin greets staff by their first name.
PEOPLE = (
    "Kenji Tanaka",
    "Yuki Mori",
    "Casey Morgan",
    "Otto Berg",
    "Haruka Ito",
    "Haruka",
    "Jordan Rivera",
    "Aiko Sato",
    "Hanako Ito",
)
ORGANISATIONS = ("Sakura Digital", "Nordlicht Growth", "Kumo Works", "Maple Inbound")
THINGS = (
    "Points FY2026",
    "Points FY2027",
    "Legacy FY2022",
    "Advanced CRM Implementation",
    "Platform Enablement",
    "Tokyo Automation HUG",
    "Osaka CRM HUG",
    "Inbound Marketing",
    "Sales Software",
    "Chief Customer Officer",
    "HubSpot Japan",
    "2022 H1",  # a DEI&B cohort's name, as staff named it
    "sakura-digital",  # directory web addresses, made from the partners' names
    "nordlicht-growth",
    "Berliner Laden",
    "advanced-crm",
    "platform-enablement",
    USER_AGENT,
    # What django-axes records for a request without those headers, and the Accept header it stores.
    "<unknown>",
    "text/html",
)
NAMES = PEOPLE + ORGANISATIONS + THINGS


@dataclass
class World:
    partner: Partner
    partner_admin: User
    partner_member: User
    other_partner: Partner
    provider: Partner
    cam: User
    other_cam: User
    staff: User
    deal: Deal
    pug_group: PugGroup
    hug: HugGroup
    rule_set_draft_id: int


def _user(email: str, role: str, name: str, **extra: object) -> User:
    return User.objects.create_user(email, TEST_PASSWORD, role=role, full_name=name, **extra)


REGION_OF = {
    "JP": Region.JAPAN,
    "DE": Region.EMEA,
    "CA": Region.NORTH_AMERICA,
    "BR": Region.LATIN_AMERICA,
    "SG": Region.APAC,
}


def _partner(partner_id: str, name: str, country: str, joined_on: dt.date, **extra: object) -> Partner:
    """A partner in the country's region (`REGION_OF`)."""
    return Partner.objects.create(
        partner_id=partner_id, name=name, country=country, region=REGION_OF[country], joined_on=joined_on, **extra
    )


def build() -> World:
    """Create the world; call with the clock at `NOW`."""
    # A Japanese-speaking CAM; an English-speaking one who reads waiting decisions in a daily digest.
    cam = _user("casey@hubspot.example", Role.CAM, "Casey Morgan", language="ja")
    other_cam = _user("otto@hubspot.example", Role.CAM, "Otto Berg", language="en", waiting_emails="digest")
    cc = _user("aiko@hubspot.example", Role.CC, "Aiko Sato")
    staff = _user("admin@hubspot.example", Role.STAFF, "Haruka Ito", is_staff=True, is_superuser=True)
    partner = _partner(
        "P10001",
        "Sakura Digital",
        "JP",
        dt.date(2021, 4, 1),
        tier=Tier.PLATINUM,
        tier_since=dt.date(2026, 7, 15),
        cam=cam,
        cc=cc,
        operating_countries=["JP", "SG"],
        industries=[Industry.SOFTWARE, Industry.RETAIL, Industry.MANUFACTURING, Industry.TRAVEL, Industry.EDUCATION],
    )
    other = _partner(
        "P10002",
        "Nordlicht Growth",
        "DE",
        dt.date(2025, 2, 1),
        tier=Tier.GOLD,
        cam=cam,
        operating_countries=["DE", "AT", "CH"],
        industries=[Industry.MARKETING, Industry.FINANCE, Industry.HEALTHCARE, Industry.REAL_ESTATE, Industry.MEDIA],
    )
    provider = _partner("P10003", "Kumo Works", "JP", dt.date(2023, 1, 1), kind=PartnerKind.PROVIDER, cam=cam)
    elsewhere = _partner(
        "P10004",
        "Maple Inbound",
        "CA",
        dt.date(2020, 1, 1),
        tier=Tier.ELITE,
        cam=other_cam,
        industries=[Industry.PROFESSIONAL_SERVICES, Industry.NONPROFIT, Industry.PUBLIC_SECTOR, Industry.OTHER],
    )
    for tier, name, country in ((Tier.DIAMOND, "Maple Inbound", "BR"), (Tier.SOLUTIONS_PARTNER, "Kumo Works", "SG")):
        _partner(f"P1{len(tier):04d}", name, country, dt.date(2022, 1, 1), tier=tier, cam=other_cam)
    admin = _user("kenji@sakura.example.jp", Role.PARTNER_ADMIN, "Kenji Tanaka", partner=partner)
    member = _user("yuki@sakura.example.jp", Role.PARTNER_MEMBER, "Yuki Mori", partner=partner)
    _user("former@sakura.example.jp", Role.PARTNER_MEMBER, "Aiko Sato", partner=partner, is_active=False)
    other_admin = _user("otto@nordlicht.example.de", Role.PARTNER_ADMIN, "Otto Berg", partner=other)
    _user("kumo@kumo.example.jp", Role.PARTNER_ADMIN, "Kenji Tanaka", partner=provider)
    _user("maple@maple.example.ca", Role.PARTNER_ADMIN, "Jordan Rivera", partner=elsewhere)

    draft_id = _tiers(partner=partner, other=other, staff=staff)
    deal = _registrations(partner=partner, other=other, admin=admin, other_admin=other_admin, cam=cam)
    pug_group, hug = _community(
        partner=partner, other=other, admin=admin, member=member, other_admin=other_admin, staff=staff
    )
    _enablement(partner=partner, other=other, admin=admin, staff=staff)
    _directory(partner=partner, other=other, admin=admin, other_admin=other_admin, staff=staff)
    _client_reviews(partner=partner, admin=admin, staff=staff)
    api_token_create(user=admin, name="CRM連携", acting_user=admin)
    token, _raw = api_token_create(user=admin, name="旧連携", acting_user=admin)
    api_token_revoke(token=token, acting_user=admin)
    api_token_create(user=cam, name="レポート", acting_user=cam)
    _security(staff=staff)
    # The other partner's admin turned off every email they may (the admin lists each kind).
    EmailOptOut.objects.bulk_create(EmailOptOut(user=other_admin, kind=kind) for kind in EmailKind.values)
    return World(
        partner=partner,
        partner_admin=admin,
        partner_member=member,
        other_partner=other,
        provider=provider,
        cam=cam,
        other_cam=other_cam,
        staff=staff,
        deal=deal,
        pug_group=pug_group,
        hug=hug,
        rule_set_draft_id=draft_id,
    )


def _tiers(*, partner: Partner, other: Partner, staff: User) -> int:
    legacy = rule_set_make(name="Legacy FY2022", effective_from=dt.date(2020, 1, 1), framework=Framework.LEGACY)
    points = rule_set_make(name="Points FY2026", effective_from=dt.date(2022, 7, 16))
    draft = rule_set_make(name="Points FY2027", effective_from=dt.date(2027, 7, 1), status=RuleSetStatus.DRAFT)
    months = months_back(dt.date(2026, 10, 1), 24)
    for i, month in enumerate(months):
        sales, managed = D(900 + 40 * i), D(2600 + 60 * i)
        tier = Tier.PLATINUM if i % 3 else Tier.GOLD
        snapshot_make(
            partner=partner, month=month, rule_set=points, sales=sales, managed=managed, tier=tier, customers=4
        )
        snapshot_make(partner=other, month=month, rule_set=points, sales=D(300), managed=D(800), tier=Tier.GOLD)
        for domain, country, currency, sold, managed_mrr in (
            ("ginza-tea.co.jp", "JP", "JPY", 1_800_000 + 20_000 * i, 2_400_000),
            ("kyoto-crafts.co.jp", "JP", "JPY", 0 if i < 20 else 600_000, 900_000),
            ("lion-city.com.sg", "SG", "USD", 4200, 1500 + 10 * i),
            ("maple-leaf.ca", "CA", "USD", 3100 if i < 22 else 0, 800),
        ):
            mrr_make(
                partner=partner,
                month=month,
                domain=domain,
                country=country,
                currency=currency,
                sold=sold,
                managed=managed_mrr,
            )
    snapshot_make(
        partner=partner, month=dt.date(2019, 12, 1), rule_set=legacy, sales=D(10), managed=D(10), tier=Tier.GOLD
    )
    reassessment = JobRun.objects.create(
        job="reassessment", period="2026-07-15", outcome=JobOutcome.DONE, started_at=timezone.now()
    )
    JobRun.objects.create(
        job="monthly_evaluation", period="2026-11", outcome=JobOutcome.RUNNING, started_at=timezone.now()
    )
    JobRun.objects.create(job="reassessment", period="2026-01-15", outcome=JobOutcome.FAILED, started_at=timezone.now())
    for changed, from_tier, to_tier, reason, effective_on, extra in (
        (
            partner,
            Tier.SOLUTIONS_PARTNER,
            Tier.GOLD,
            "MANUAL",
            dt.date(2021, 4, 1),
            {"changed_by": staff, "note": "移行時に手動で設定"},
        ),
        (partner, Tier.GOLD, Tier.DIAMOND, "PROMOTION", dt.date(2026, 3, 1), {"run": run_for(dt.date(2026, 2, 1))}),
        (partner, Tier.DIAMOND, Tier.PLATINUM, "REASSESSMENT", dt.date(2026, 7, 15), {"run": reassessment}),
        (other, Tier.GOLD, Tier.PLATINUM, "CORRECTION", dt.date(2026, 8, 1), {"note": "2026年7月のMRR修正"}),
    ):
        TierChange.objects.create(
            partner=changed,
            from_tier=from_tier,
            to_tier=to_tier,
            reason=TierChange.Reason[reason],
            effective_on=effective_on,
            **extra,
        )
    return draft.pk


def _registrations(*, partner: Partner, other: Partner, admin: User, other_admin: User, cam: User) -> Deal:
    RegistrationConfig.get()
    ProgrammeTargets.get()  # a flushed test database lost the migration's row
    submit = registrations.registration_submit
    approved = submit(
        partner=partner, domain="ginza-tea.co.jp", acting_user=admin, company_name="銀座茶房", country="JP"
    )
    registrations.registration_approve(registration=approved, acting_user=cam)
    registrations.registration_extend(registration=approved, acting_user=admin)
    rejected = submit(partner=partner, domain="osaka-foods.co.jp", acting_user=admin, company_name="大阪フーズ")
    registrations.registration_reject(registration=rejected, acting_user=cam, reason="既存顧客のため対象外です。")
    released = submit(partner=partner, domain="nagoya-tech.co.jp", acting_user=admin, company_name="名古屋テック")
    registrations.registrations_release(partner=partner, ids=[released.pk], acting_user=admin)
    submit(partner=partner, domain="例え.jp", acting_user=admin, company_name="例え株式会社", country="JP")
    expiring = submit(partner=partner, domain="sapporo-beer.co.jp", acting_user=admin, company_name="札幌ビア")
    registrations.registration_approve(registration=expiring, acting_user=cam)
    DomainRegistration.objects.filter(pk=expiring.pk).update(expires_on=TODAY - dt.timedelta(days=1))
    registrations.registrations_expire(on=TODAY)
    soon = submit(partner=partner, domain="fukuoka-ramen.co.jp", acting_user=admin, company_name="福岡ラーメン")
    registrations.registration_approve(registration=soon, acting_user=cam)
    DomainRegistration.objects.filter(pk=soon.pk).update(expires_on=TODAY + dt.timedelta(days=10))
    # The cap reduction assistant's reasons: a customer abroad and in an industry the partner does not target.
    submit(
        partner=partner,
        domain="seattle-outdoor.com",
        acting_user=admin,
        company_name="シアトル・アウトドア",
        country="US",
        industry=Industry.FINANCE,
    )
    submit(
        partner=other,
        domain="berlin-shop.de",
        acting_user=other_admin,
        company_name="Berliner Laden",
        country="DE",
    )
    CommissionHold.objects.create(
        partner=other, started_on=dt.date(2022, 4, 1), ended_on=dt.date(2022, 6, 1), live_at_start=17, cap_at_start=15
    )
    CommissionHold.objects.create(partner=other, started_on=dt.date(2026, 10, 1), live_at_start=16, cap_at_start=15)

    deal_data = {
        "company_name": "銀座茶房",
        "domain": "ginza-tea.co.jp",
        "products": [Product.MARKETING, Product.SALES],
        "expected_mrr": D("480000"),
        "currency": "JPY",
        "expected_close_on": dt.date(2027, 3, 31),
        "sales_rep_name": "Casey Morgan",
        "sales_rep_email": "casey@hubspot.example",
    }
    deal = registrations.deal_submit(partner=partner, acting_user=admin, **deal_data, stage=DealStage.PROPOSAL)
    registrations.deal_approve(deal=deal, acting_user=cam, reason="直販チームと確認済みです。")
    registrations.deal_note_add(deal=deal, author=admin, body="来週デモを予定しています。")
    registrations.deal_note_add(deal=deal, author=cam, body="了解しました。資料を共有します。")
    for stage, products in (
        (DealStage.QUALIFICATION, [Product.SERVICE]),
        (DealStage.DISCOVERY, [Product.CMS]),
        (DealStage.NEGOTIATION, [Product.OPERATIONS]),
        (DealStage.CLOSED_WON, [Product.SUITE]),
        (DealStage.CLOSED_LOST, [Product.MARKETING]),
    ):
        data = deal_data | {"company_name": "京都工房", "domain": "", "products": products, "stage": stage}
        made = registrations.deal_submit(partner=partner, acting_user=admin, **data)
        if stage == DealStage.CLOSED_LOST:
            registrations.deal_reject(deal=made, acting_user=cam, reason="予算が確保できませんでした。")
    return deal


def _community(
    *, partner: Partner, other: Partner, admin: User, member: User, other_admin: User, staff: User
) -> tuple[PugGroup, HugGroup]:
    previous = PugReviewCycle.objects.create(
        name="2026-05",
        opens_on=dt.date(2026, 5, 1),
        closes_on=dt.date(2026, 5, 31),
        cohort_starts_on=dt.date(2026, 6, 1),
        cohort_ends_on=dt.date(2026, 12, 31),
    )
    current = PugReviewCycle.objects.create(
        name="2026-11",
        opens_on=dt.date(2026, 11, 14),
        closes_on=dt.date(2026, 12, 28),
        cohort_starts_on=dt.date(2027, 1, 1),
        cohort_ends_on=dt.date(2027, 6, 30),
    )
    groups = {}
    for role in PugRole:
        groups[role] = PugGroup.objects.create(
            name=f"東京PUG {len(groups) + 1}",
            role=role,
            region=Region.JAPAN,
            champion="Aiko Sato",
            meeting_cadence=list(MeetingCadence)[len(groups) % len(MeetingCadence)],
            description="東京・大阪の担当者が毎月集まり、事例を共有します。",
        )
    statuses = list(PugStatus)
    for role, status in zip(PugRole, statuses + [PugStatus.SUBMITTED], strict=False):
        PugApplication.objects.create(
            group=groups[role],
            cycle=previous,
            partner=partner,
            submitted_by=admin,
            motivation="関西の事例を共有したいです。",
            status=status,
            decision_reason="" if status in (PugStatus.SUBMITTED, PugStatus.ACCEPTED) else "定員に達しました。",
        )
    # Decided for the Japanese partner: the decision email (in the outbox admin) is composed in Japanese.
    application = community.pug_apply(
        user=admin, group=groups[PugRole.SALES], cycle=current, motivation="営業の知見を深めたい。", today=TODAY
    )
    community.pug_apply(
        user=other_admin,
        group=groups[PugRole.MARKETING],
        cycle=current,
        motivation="ドイツ市場の知見を共有します。",
        today=TODAY,
    )
    community.pug_decide(
        application=application, decision=PugStatus.WAITLISTED, actor=staff, reason="次のサイクルで再検討します。"
    )

    hug = HugGroup.objects.create(
        name="Tokyo Automation HUG",
        topic=HugTopic.AUTOMATION,
        region=Region.JAPAN,
        language=HugLanguage.JA,
        format=HugFormat.IN_PERSON,
        city="東京",
        description="ワークフロー自動化について話し合うユーザー会です。",
        leader_partner=partner,
    )
    online = HugGroup.objects.create(
        name="Osaka CRM HUG", topic=HugTopic.CRM, region=Region.JAPAN, language=HugLanguage.JA, format=HugFormat.ONLINE
    )
    others = [t for t in HugTopic if t not in (HugTopic.AUTOMATION, HugTopic.CRM)]
    for i, topic in enumerate(others):
        language = list(HugLanguage)[i % len(HugLanguage)]
        HugGroup.objects.create(
            name=f"アジアHUG {i + 1}", topic=topic, region=Region.APAC, language=language, format=HugFormat.ONLINE
        )
    for days, title in ((-60, "自動化ワークショップ"), (20, "ワークフロー勉強会"), (50, "年末交流会")):
        HugEvent.objects.create(
            group=hug, title=title, starts_at=NOW + dt.timedelta(days=days), location="渋谷オフィス"
        )
    HugEvent.objects.create(group=online, title="オンライン相談会", starts_at=NOW + dt.timedelta(days=5), is_free=False)
    HugMembership.objects.create(group=hug, user=member)
    HugMembership.objects.create(group=online, user=admin)
    for status in LeadStatus:
        HugLeaderApplication.objects.create(
            group=online,
            partner=partner,
            applicant=admin,
            motivation="大阪でオンライン勉強会を毎月開いています。",
            status=status,
            decision_reason="" if status != LeadStatus.DECLINED else "別のパートナーが担当中です。",
        )
    HugInactivityFlag.objects.create(group=hug, quarter="2026-Q3", leader_partner=partner)
    HugInactivityFlag.objects.create(group=online, quarter="2026-Q2", leader_partner=partner, resolved=True)

    sponsor = ExecutiveSponsor.objects.create(
        name="Jordan Rivera", title="Chief Customer Officer", email="jordan@hubspot.example"
    )
    pilot = DeibCohort.objects.create(name="2022 H1", opens_on=dt.date(2022, 1, 15), closes_on=dt.date(2022, 3, 31))
    cohort = DeibCohort.objects.create(name="2026-11", opens_on=dt.date(2026, 11, 18), closes_on=dt.date(2027, 1, 7))
    for who, status in ((partner, DeibStatus.SELECTED), (other, DeibStatus.NOT_SELECTED)):
        application = DeibApplication.objects.create(
            cohort=pilot,
            partner=who,
            submitted_by=admin if who == partner else other_admin,
            status=status,
            consent_at=timezone.now(),
            sponsor=sponsor if status == DeibStatus.SELECTED else None,
            decision_reason="定員に達しました。" if status == DeibStatus.NOT_SELECTED else "",
        )
        DeibSelfIdentification.objects.create(
            application=application, owners_identify_as_poc=True, statement="創業者として"
        )
    community.deib_apply(
        user=admin, cohort=cohort, owners_identify_as_poc=True, statement="創業者として", consent=True, today=TODAY
    )
    DeibApplication.objects.create(
        cohort=cohort, partner=other, submitted_by=other_admin, status=DeibStatus.WITHDRAWN, consent_at=timezone.now()
    )
    BlackAtInboundMembership.objects.create(user=member)
    CommunityAudit.log(CommunityAudit.Subject.HUG_MEMBERSHIP, hug, new="member", actor=staff, partner=partner)
    return groups[PugRole.DEVELOPERS], hug  # accepted into its running cohort


def _enablement(*, partner: Partner, other: Partner, admin: User, staff: User) -> None:
    crm = Accreditation.objects.create(
        code="advanced-crm", name="Advanced CRM Implementation", description="高度なCRM導入の実績を証明します。"
    )
    platform = Accreditation.objects.create(
        code="platform-enablement", name="Platform Enablement", description="プラットフォーム活用の支援実績です。"
    )
    for accreditation in (crm, platform):
        for tier in (Tier.PLATINUM, Tier.DIAMOND, Tier.ELITE):
            AccreditationEligibility.objects.create(
                accreditation=accreditation, tier=tier, available_from=dt.date(2022, 7, 1)
            )
    old = ApplicationWindow.objects.create(name="2026-06", opens_on=dt.date(2026, 6, 1), closes_on=dt.date(2026, 6, 30))
    ApplicationWindow.objects.create(name="2026-11", opens_on=dt.date(2026, 11, 20), closes_on=dt.date(2026, 12, 20))
    for status, accreditation in zip(ApplicationStatus, (platform, crm, platform), strict=True):
        AccreditationApplication.objects.create(
            partner=partner if status != ApplicationStatus.SUBMITTED else other,
            accreditation=accreditation,
            window=old,
            submitted_by=admin,
            status=status,
            decision_reason="要件を満たしていません。" if status == ApplicationStatus.REJECTED else "",
        )
    held = PartnerAccreditation.objects.create(
        partner=partner, accreditation=crm, granted_on=dt.date(2026, 7, 1), next_review_on=dt.date(2027, 1, 1)
    )
    for status, who in ((AccreditationStatus.REVIEW_BOARD, other), (AccreditationStatus.LAPSED, partner)):
        PartnerAccreditation.objects.create(
            partner=who,
            accreditation=platform,
            status=status,
            granted_on=dt.date(2025, 7, 1),
            next_review_on=dt.date(2026, 1, 1),
        )
    AccreditationMark.objects.create(holding=held, note="品質チェックで指摘がありました。", recorded_by=staff)
    Certification.objects.create(
        partner=partner,
        holder_name="Kenji Tanaka",
        name="Inbound Marketing",
        issued_on=dt.date(2025, 5, 1),
        expires_on=dt.date(2027, 5, 1),
    )
    Certification.objects.create(
        partner=partner,
        holder_name="Yuki Mori",
        name="Sales Software",
        issued_on=dt.date(2024, 1, 10),
        expires_on=dt.date(2026, 1, 10),
    )
    for i, category in enumerate(AwardCategory):
        ImpactAward.objects.create(
            year=2025,
            region=Region.JAPAN if i % 2 == 0 else Region.EMEA,
            category=category,
            partner=partner if i % 2 == 0 else other,
            citation="顧客満足度の向上に大きく貢献しました。",
            status=AwardStatus.PUBLISHED if i < 3 else AwardStatus.NOMINATED,
            nominated_by=staff,
            published_at=timezone.now() if i < 3 else None,
        )
    award = ImpactAward.objects.filter(partner=partner).first()
    EnablementAudit.log(EnablementAudit.Subject.IMPACT_AWARD, award, new="published", actor=staff, partner=partner)


def _directory(*, partner: Partner, other: Partner, admin: User, other_admin: User, staff: User) -> None:
    """Two directory listings written through the service (every service, industry and spoken language
    occurs), and staff hiding the second one."""
    from directory import services as directory
    from directory.models import SPOKEN_LANGUAGES, Service
    from portal.models import Industry

    half = len(Industry.values) // 2
    for who, by, industries, languages in (
        (partner, admin, Industry.values[:half], ["ja", "en"]),
        (other, other_admin, Industry.values[half:], [code for code, _name in SPOKEN_LANGUAGES]),
    ):
        directory.profile_update(
            partner=who,
            actor=by,
            tagline="中堅企業のインバウンドマーケティングを支援",
            description="戦略立案からWeb制作、CRM導入までを一貫して支援します。",
            website="https://www.sakura.example.jp",
            services=Service.values,
            languages=languages,
            listed=True,
            industries=industries,
            operating_countries=["JP", "SG"],
        )
    directory.profile_hide(profile=other.directory_profile, actor=staff, reason="掲載内容を確認中です。")


def _security(*, staff: User) -> None:
    """A permission group and the lockout records django-axes keeps (staff read them in the admin)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="パートナー担当")
    group.permissions.set(Permission.objects.filter(codename__in=["view_partner", "change_partner"]))
    common = {"user_agent": USER_AGENT, "ip_address": "203.0.113.7", "username": "kenji@sakura.example.jp"}
    AccessAttempt.objects.create(
        **common,
        http_accept="text/html",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=3,
    )
    AccessFailureLog.objects.create(**common, http_accept="text/html", path_info="/accounts/login/", locked_out=False)
    AccessLog.objects.create(**common, http_accept="text/html", path_info="/accounts/login/", logout_time=NOW)
    _operations(staff=staff)


def _operations(*, staff: User) -> None:
    """What staff read about the machinery: two-factor devices, the email outbox, the job ledger."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.models import EmailStatus, OutgoingEmail

    # On a colleague: the staff login the check uses must not be asked for a code.
    colleague = _user("hanako@example.com", Role.STAFF, "Hanako Ito")
    TOTPDevice.objects.create(user=colleague, name="認証アプリ", confirmed=True)
    StaticDevice.objects.create(user=colleague, name="リカバリーコード", confirmed=True)
    for status in EmailStatus.values:
        OutgoingEmail.objects.create(
            status=status,
            from_email="partner-portal@example.com",
            to=["kenji@sakura.example.jp"],
            subject="ドメイン登録の承認：sakura-client.jp",
            body="いつもお世話になっております。",
        )
    from tiers.models import MonthCompleteness

    MonthCompleteness.objects.create(
        month=dt.date(2026, 10, 1), complete=True, completed_at=NOW, completed_by="import_mrr"
    )
    MonthCompleteness.objects.create(month=dt.date(2026, 11, 1))
    _uploads(staff=staff)
    for outcome, job, period in (
        (JobOutcome.WAITING, "monthly_evaluation", "2026-12"),
        (JobOutcome.REFUSED, "registrations_expiry", "2026-11-27"),
    ):
        JobRun.objects.create(job=job, period=period, outcome=outcome, started_at=NOW, finished_at=NOW)


def _uploads(*, staff: User) -> None:
    """Files staff uploaded in every kind, status and phase (the first one refused, with its problems in Japanese)."""
    from tiers.models import Upload, UploadKind, UploadPhase, UploadStatus

    kinds, statuses, phases = UploadKind.values, UploadStatus.values, UploadPhase.values
    for i in range(max(len(kinds), len(statuses), len(phases))):
        status = [UploadStatus.REFUSED, *[s for s in statuses if s != UploadStatus.REFUSED]][i % len(statuses)]
        Upload.objects.create(
            kind=kinds[i % len(kinds)],
            content=b"partner_id,month\n",
            original_name=f"MRR_2026年11月_{i}.csv",
            size=17,
            sha256="0" * 64,
            uploaded_by=staff,
            status=status,
            phase=phases[i % len(phases)],
            rows_read=3,
            rows_rejected=1 if status == UploadStatus.REFUSED else 0,
            errors=["3行目: パートナーID「P99999」は登録されていません"] if status == UploadStatus.REFUSED else [],
            finished_at=NOW if status in Upload.FINISHED else None,
        )


def _client_reviews(*, partner: Partner, admin: User, staff: User) -> None:
    """Client reviews in every moderation status (one answered), invitations sent, used and expired."""
    import hashlib

    from directory.models import AuditEntry as DirectoryAudit
    from directory.models import AwardSettings, Review, ReviewInvitation, ReviewStatus
    from directory.services import profile_ratings_refresh

    AwardSettings.get()
    reviews = (
        (ReviewStatus.PUBLISHED, 5, "移行がスムーズでした", "営業チーム全員の研修まで丁寧に対応してくれました。", ""),
        (ReviewStatus.PENDING, 4, "対応が早い", "問い合わせへの返信がいつも当日中です。", ""),
        (ReviewStatus.REJECTED, 1, "宣伝です", "当社の製品をご覧ください。", "パートナーの業務と関係がありません。"),
    )
    for i, (status, rating, title, body, reason) in enumerate(reviews):
        invitation = ReviewInvitation.objects.create(
            partner=partner,
            email=f"client{i}@ginza-tea.example.jp",
            contact_name="田中 花子",
            customer_domain="ginza-tea.example.jp",
            language="ja",
            token_hash=hashlib.sha256(f"world-{i}".encode()).hexdigest(),
            invited_by=admin,
            created_at=NOW - dt.timedelta(days=20 + i),
            expires_at=NOW + dt.timedelta(days=10 - i),
            used_at=NOW - dt.timedelta(days=15),
        )
        review = Review.objects.create(
            partner=partner,
            invitation=invitation,
            reviewer_name="田中 花子",
            reviewer_title="営業部長",
            reviewer_email=invitation.email,
            customer_domain=invitation.customer_domain,
            rating=rating,
            title=title,
            body=body,
            language="ja",
            submitted_at=NOW - dt.timedelta(days=15, hours=i),
            status=status,
            moderated_at=None if status == ReviewStatus.PENDING else NOW - dt.timedelta(days=10),
            moderated_by=None if status == ReviewStatus.PENDING else staff,
            rejection_reason=reason,
            reply="ご評価ありがとうございます。" if status == ReviewStatus.PUBLISHED else "",
            replied_at=NOW - dt.timedelta(days=9) if status == ReviewStatus.PUBLISHED else None,
            replied_by=admin if status == ReviewStatus.PUBLISHED else None,
        )
        if status != ReviewStatus.PENDING:
            DirectoryAudit.log(
                DirectoryAudit.Subject.REVIEW, review, old="pending", new=status, actor=staff, reason=reason
            )
    profile_ratings_refresh(partner_ids=[partner.pk])
    for i, expires in enumerate((NOW + dt.timedelta(days=25), NOW - dt.timedelta(days=2))):
        ReviewInvitation.objects.create(
            partner=partner,
            email=f"open{i}@ginza-tea.example.jp",
            contact_name="佐藤 健",
            customer_domain="ginza-tea.example.jp",
            language="ja",
            token_hash=hashlib.sha256(f"world-open-{i}".encode()).hexdigest(),
            invited_by=admin,
            created_at=expires - dt.timedelta(days=30),
            expires_at=expires,
        )
