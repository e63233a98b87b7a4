"""Every email the portal sends reaches a Japan-region partner in Japanese: subject and body."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail

from community import services as community
from community.models import (
    DeibApplication,
    DeibCohort,
    ExecutiveSponsor,
    HugGroup,
    PugGroup,
    PugReviewCycle,
    PugStatus,
)
from enablement import services as enablement
from enablement.models import Accreditation, AccreditationEligibility, AwardStatus, ImpactAward
from registrations import services as registrations
from registrations.models import DealStage, Product
from tests import japanese_world as world_module
from tests.visible_text import english_in

pytestmark = pytest.mark.django_db
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def world():
    with time_machine.travel(world_module.NOW, tick=False):
        yield world_module.build()


def _send_every_kind(w, staff, cam) -> None:
    today = world_module.TODAY
    admin = w.partner_admin
    # Domain registrations: approved, rejected, and the expiry reminder (fukuoka-ramen expires in 10 days).
    approved = registrations.registration_submit(partner=w.partner, domain="kobe-beef.co.jp", acting_user=admin)
    registrations.registration_approve(registration=approved, acting_user=cam)
    rejected = registrations.registration_submit(partner=w.partner, domain="nara-deer.co.jp", acting_user=admin)
    registrations.registration_reject(registration=rejected, acting_user=cam, reason="既存顧客です。")
    registrations.expiry_reminders_send(on=today)
    # Deals: approved and rejected.
    data = {
        "company_name": "神戸牛販売",
        "products": [Product.SALES],
        "expected_mrr": "120000",
        "currency": "JPY",
        "stage": DealStage.DISCOVERY,
        "expected_close_on": dt.date(2027, 1, 31),
    }
    deal = registrations.deal_submit(partner=w.partner, acting_user=admin, **data)
    registrations.deal_approve(deal=deal, acting_user=cam)
    deal = registrations.deal_submit(partner=w.partner, acting_user=admin, **data)
    registrations.deal_reject(deal=deal, acting_user=cam, reason="重複しています。")
    # PUG: accepted (with the meeting cadence) and declined.
    cycle = PugReviewCycle.objects.get(name="2026-11")
    groups = list(PugGroup.objects.exclude(applications__cycle=cycle, applications__partner=w.partner)[:2])
    for group, decision in zip(groups, (PugStatus.ACCEPTED, PugStatus.DECLINED), strict=True):
        application = community.pug_apply(
            user=admin, group=group, cycle=cycle, motivation="参加したいです。", today=today
        )
        reason = "定員に達しました。" if decision == PugStatus.DECLINED else ""
        community.pug_decide(application=application, decision=decision, actor=staff, reason=reason)
    # HUG leadership.
    group = (
        HugGroup.objects.filter(leader_partner__isnull=True).exclude(leader_applications__status="submitted").first()
    )
    application = community.hug_lead_apply(user=admin, group=group, motivation="毎月開催します。")
    community.hug_lead_decide(application=application, accept=True, actor=staff)
    # DEI&B: selected (with a sponsor) and not selected.
    application = DeibApplication.objects.get(partner=w.partner, status="submitted")
    community.deib_select(application=application, sponsor=ExecutiveSponsor.objects.get(), actor=staff)
    later = DeibCohort.objects.create(name="2027-05", opens_on=dt.date(2026, 11, 1), closes_on=dt.date(2026, 12, 31))
    declined = community.deib_apply(
        user=admin, cohort=later, owners_identify_as_poc=True, statement="", consent=True, today=today
    )
    community.deib_decline(application=declined, actor=staff, reason="定員に達しました。")
    # Accreditations: approved and rejected.
    extra = Accreditation.objects.create(code="onboarding", name="Platform Enablement 2")
    AccreditationEligibility.objects.create(accreditation=extra, tier="platinum", available_from=dt.date(2022, 1, 1))
    for accreditation, approve in ((Accreditation.objects.get(code="platform-enablement"), True), (extra, False)):
        application = enablement.accreditation_apply(user=admin, accreditation=accreditation, today=today)
        enablement.accreditation_decide(
            application=application,
            approve=approve,
            actor=staff,
            reason="" if approve else "実績が不足しています。",
            today=today,
        )
    # Impact Award published.
    award = ImpactAward.objects.get(partner=w.partner, status=AwardStatus.NOMINATED)
    enablement.award_publish(award=award, actor=staff)


def test_every_email_to_a_japanese_partner_is_in_japanese(world, django_capture_on_commit_callbacks):
    w = world
    mail.outbox.clear()
    with time_machine.travel(world_module.NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        _send_every_kind(w, w.staff, w.cam)
    subjects = {message.subject for message in mail.outbox}
    # 2 domain decisions, a reminder, 2 deals, 2 PUG, 1 HUG lead, 2 DEI&B, 2 accreditations, 1 award.
    assert len(subjects) >= 13, sorted(subjects)
    names = [*world_module.NAMES, "Platform Enablement 2", *PugGroup.objects.values_list("name", flat=True)]
    names += list(HugGroup.objects.values_list("name", flat=True))
    problems = []
    for message in mail.outbox:
        if not JAPANESE.search(message.subject) or not JAPANESE.search(message.body):
            problems.append(f"not Japanese: {message.subject!r} / {message.body!r}")
        english = english_in(f"{message.subject}\n{message.body}", names=names)
        if english:
            problems.append(f"English {english} in {message.subject!r}: {message.body!r}")
    assert not problems, "\n".join(problems)


def test_the_same_emails_go_to_other_regions_in_english(world, django_capture_on_commit_callbacks):
    """The control: Japanese is chosen by the partner's region, not by the catalogue being Japanese everywhere."""
    w = world
    w.partner.region = "emea"
    w.partner.save(update_fields=["region"])
    mail.outbox.clear()
    with time_machine.travel(world_module.NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        registrations.registration_approve(
            registration=registrations.registration_submit(
                partner=w.partner, domain="kobe-beef.co.jp", acting_user=w.partner_admin
            ),
            acting_user=w.cam,
        )
    assert mail.outbox and all(not JAPANESE.search(m.subject) for m in mail.outbox)
