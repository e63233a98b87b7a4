from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal.models import PartnerKind, Tier
from registrations import services
from registrations.models import CommissionHold, DealEvent, DomainRegistration, RegistrationConfig, RegistrationEvent
from registrations.selectors import registration_cap, registration_summary
from tests.factories import DealFactory, DomainRegistrationFactory, PartnerFactory, PartnerUserFactory

pytestmark = pytest.mark.django_db


def test_caps_by_tier_come_from_configuration(partner):
    on = dt.date(2022, 3, 1)
    expected = {"elite": 175, "diamond": 75, "platinum": 25, "gold": 15, "solutions_partner": 10}
    for tier, cap in expected.items():
        partner.tier = tier
        assert registration_cap(partner=partner, on=on) == cap
    partner.kind = PartnerKind.PROVIDER
    assert registration_cap(partner=partner, on=on) == 5
    config = RegistrationConfig.get()
    config.cap_provider = 7
    config.save()
    assert registration_cap(partner=partner, on=on) == 7


def test_no_cap_before_caps_take_effect(partner):
    assert registration_cap(partner=partner, on=dt.date(2022, 1, 31)) is None


def test_submit_normalises_and_records_who_submitted(partner, partner_member):
    registration = services.registration_submit(
        partner=partner, domain="https://WWW.Acme.co.jp/about", acting_user=partner_member, company_name="Acme"
    )
    assert registration.domain == "acme.co.jp"
    assert registration.status == "pending"
    event = registration.events.get()
    assert (event.actor, event.from_status, event.to_status) == (partner_member, "", "pending")


def test_invalid_domain_is_refused_with_a_reason(partner, partner_member):
    with pytest.raises(services.InvalidDomainError) as info:
        services.registration_submit(partner=partner, domain="localhost", acting_user=partner_member)
    assert info.value.code == "invalid_domain"
    assert not DomainRegistration.objects.exists()


def test_partner_at_cap_cannot_submit(partner, partner_member, fill):
    fill(partner, 9)
    fill(partner, 1, status="pending")
    with pytest.raises(services.CapReached):
        services.registration_submit(partner=partner, domain="one-more.com", acting_user=partner_member)
    assert DomainRegistration.objects.filter(partner=partner).count() == 10


def test_released_expired_and_rejected_do_not_count_against_the_cap(partner, partner_member, fill):
    fill(partner, 9)
    fill(partner, 3, status="released")
    fill(partner, 3, status="expired")
    fill(partner, 3, status="rejected")
    services.registration_submit(partner=partner, domain="tenth.com", acting_user=partner_member)
    assert registration_summary(partner=partner)["live_registrations"] == 10


def test_domain_live_for_another_partner_is_unavailable_without_naming_it(partner, other_partner, partner_member):
    DomainRegistrationFactory(partner=other_partner, domain="contested.com", status="registered")
    with pytest.raises(services.DomainTaken) as info:
        services.registration_submit(partner=partner, domain="www.contested.com", acting_user=partner_member)
    assert "held by another partner" in info.value.message
    assert other_partner.name not in info.value.message and other_partner.partner_id not in info.value.message


def test_expired_domain_can_be_registered_again_under_the_cap(partner, other_partner, partner_member):
    DomainRegistrationFactory(partner=other_partner, domain="again.com", status="expired")
    registration = services.registration_submit(partner=partner, domain="again.com", acting_user=partner_member)
    assert registration.status == "pending"


def test_expired_domain_cannot_be_registered_again_at_the_cap(partner, partner_member, fill):
    DomainRegistrationFactory(partner=partner, domain="again.com", status="expired")
    fill(partner, 10)
    with pytest.raises(services.CapReached):
        services.registration_submit(partner=partner, domain="again.com", acting_user=partner_member)


def test_another_partners_user_cannot_submit_for_a_partner(partner, other_partner_user):
    with pytest.raises(PermissionDenied):
        services.registration_submit(partner=partner, domain="x.com", acting_user=other_partner_user)


@time_machine.travel(dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC), tick=False)
def test_cam_approval_registers_for_six_months_and_emails_the_partner(
    partner, partner_admin, partner_member, cam, django_capture_on_commit_callbacks
):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, acting_user=cam)
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert registration.expires_on == dt.date(2024, 7, 10)
    assert registration.decided_by == cam
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner_admin.email, partner_member.email])
    # The demo partner is Japanese: the email is in Japanese.
    assert "承認" in mail.outbox[0].subject


def test_rejection_needs_a_reason_and_is_recorded(partner, partner_admin, cam, django_capture_on_commit_callbacks):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with pytest.raises(services.RegistrationError):
        services.registration_reject(registration=registration, acting_user=cam, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(registration=registration, acting_user=cam, reason="Existing customer")
    event = registration.events.get()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        cam,
        "pending",
        "rejected",
        "Existing customer",
    )
    assert "Existing customer" in mail.outbox[0].body


def test_cam_outside_the_book_cannot_decide(partner, other_cam):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with pytest.raises(PermissionDenied):
        services.registration_approve(registration=registration, acting_user=other_cam)
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_deciding_twice_is_refused(partner, cam):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    services.registration_approve(registration=registration, acting_user=cam)
    with pytest.raises(services.NotLive):
        services.registration_reject(registration=registration, acting_user=cam, reason="late")


def test_bulk_approve_skips_already_decided(partner, cam):
    rows = DomainRegistrationFactory.create_batch(3, partner=partner, status="pending")
    services.registration_reject(registration=rows[0], acting_user=cam, reason="no")
    assert services.registrations_approve_bulk(registrations=rows, acting_user=cam) == 2


@time_machine.travel(dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC), tick=False)
def test_extension_adds_three_months_once(partner, partner_member):
    registration = DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2024, 2, 1))
    services.registration_extend(registration=registration, acting_user=partner_member)
    registration.refresh_from_db()
    assert (registration.expires_on, registration.extended) == (dt.date(2024, 5, 1), True)
    with pytest.raises(services.ExtensionNotAllowed):
        services.registration_extend(registration=registration, acting_user=partner_member)
    assert registration.events.get().reason == "extended until 2024-05-01"


def test_over_cap_partner_cannot_extend(partner, partner_member, fill):
    rows = fill(partner, 10)
    with pytest.raises(services.CapReached):
        services.registration_extend(registration=rows[0], acting_user=partner_member)


def test_pending_registration_cannot_be_extended(partner, partner_member):
    registration = DomainRegistrationFactory(partner=partner, status="pending")
    with pytest.raises(services.ExtensionNotAllowed):
        services.registration_extend(registration=registration, acting_user=partner_member)


def test_bulk_release_writes_an_event_per_domain(partner, partner_member, fill):
    rows = fill(partner, 3)
    released = services.registrations_release(partner=partner, ids=[r.pk for r in rows], acting_user=partner_member)
    assert {r.status for r in released} == {"released"}
    assert RegistrationEvent.objects.filter(to_status="released", actor=partner_member).count() == 3


def test_releasing_an_expired_domain_is_refused(partner, partner_member):
    registration = DomainRegistrationFactory(partner=partner, status="expired")
    with pytest.raises(services.NotLive):
        services.registration_release(registration=registration, acting_user=partner_member)


def test_expiry_job_expires_due_registrations_once_with_audit(partner):
    due = DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2024, 3, 1))
    later = DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2024, 3, 2))
    assert services.registrations_expire(on=dt.date(2024, 3, 1)) == 1
    assert services.registrations_expire(on=dt.date(2024, 3, 1)) == 0
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("expired", "registered")
    event = due.events.get()
    assert (event.job, event.actor, event.from_status, event.to_status) == (
        "expire_registrations",
        None,
        "registered",
        "expired",
    )


def test_reminder_sent_fourteen_days_before_expiry_and_only_once(
    partner, partner_admin, django_capture_on_commit_callbacks
):
    DomainRegistrationFactory(partner=partner, domain="soon.com", status="registered", expires_on=dt.date(2024, 3, 15))
    DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2024, 3, 16))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expiry_reminders_send(on=dt.date(2024, 3, 1)) == 1
        assert services.expiry_reminders_send(on=dt.date(2024, 3, 1)) == 0
    assert len(mail.outbox) == 1
    assert "soon.com" in mail.outbox[0].body and mail.outbox[0].to == [partner_admin.email]


def test_compliance_hold_opens_over_cap_and_closes_back_within(partner, partner_member, fill):
    rows = fill(partner, 12)
    assert services.compliance_check(on=dt.date(2022, 3, 31)) == {"opened": 0, "closed": 0}
    assert services.compliance_check(on=dt.date(2022, 4, 1)) == {"opened": 1, "closed": 0}
    assert services.compliance_check(on=dt.date(2022, 4, 2)) == {"opened": 0, "closed": 0}
    assert registration_summary(partner=partner)["commission_hold"] is True
    services.registrations_release(partner=partner, ids=[r.pk for r in rows[:2]], acting_user=partner_member)
    assert services.compliance_check(on=dt.date(2022, 5, 1)) == {"opened": 0, "closed": 1}
    hold = CommissionHold.objects.get(partner=partner)
    assert (hold.started_on, hold.ended_on, hold.live_at_start, hold.cap_at_start) == (
        dt.date(2022, 4, 1),
        dt.date(2022, 5, 1),
        12,
        10,
    )
    assert registration_summary(partner=partner)["commission_hold"] is False


def test_higher_tier_raises_the_cap_and_clears_the_hold(partner, fill):
    fill(partner, 12)
    services.compliance_check(on=dt.date(2022, 4, 1))
    partner.tier = Tier.GOLD
    partner.save(update_fields=["tier"])
    assert services.compliance_check(on=dt.date(2022, 4, 2))["closed"] == 1


def test_daily_job_commands_take_a_date_and_refuse_garbage(partner, fill, capsys):
    DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2024, 3, 1))
    call_command("expire_registrations", "--on", "2024-03-01")
    assert "1 registration(s) expired" in capsys.readouterr().out
    fill(partner, 11)
    call_command("check_compliance", "--on", "2024-03-01")
    assert CommissionHold.objects.filter(partner=partner, ended_on__isnull=True).exists()
    with pytest.raises(CommandError):
        call_command("expire_registrations", "--on", "01/03/2024")


def test_tasks_are_thin_wrappers_and_the_daily_jobs_are_scheduled(partner):
    from portal import jobs
    from registrations import tasks

    DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2024, 3, 1))
    assert tasks.expire_registrations.name == "registrations.tasks.expire_registrations"
    scheduled = {job.name for job in jobs.registered()}  # beat runs them through run_due
    assert {"registrations_expiry", "registrations_compliance", "registrations_expiry_reminders"} <= scheduled
    assert tasks.expire_registrations.apply(kwargs={"on": "2024-03-01"}).get() == 1
    assert tasks.check_compliance.apply(kwargs={"on": "2024-03-01"}).get() == {"opened": 0, "closed": 0}


# --- deals -------------------------------------------------------------------------


def _deal_data(**extra):
    return {
        "company_name": "Globex",
        "domain": "https://www.globex.com",
        "products": ["marketing", "sales"],
        "expected_mrr": "2500.50",
        "currency": "EUR",
        "stage": "proposal",
        "expected_close_on": dt.date(2024, 9, 30),
        "sales_rep_name": "Sally Rep",
        "sales_rep_email": "sally@vendor.example",
        **extra,
    }


def test_deal_submit_validates_and_records_history(partner, partner_member):
    deal = services.deal_submit(partner=partner, acting_user=partner_member, **_deal_data())
    assert (deal.domain, deal.expected_mrr, deal.products) == ("globex.com", Decimal("2500.50"), ["marketing", "sales"])
    assert deal.partner_is_owner is True
    assert DealEvent.objects.get(deal=deal).to_status == "pending"
    with pytest.raises(services.RegistrationError):
        services.deal_submit(partner=partner, acting_user=partner_member, **_deal_data(products=["crm9000"]))


def test_deal_decisions_by_the_cam_with_emails(
    partner, partner_admin, cam, other_cam, django_capture_on_commit_callbacks
):
    deal = DealFactory(partner=partner)
    with pytest.raises(PermissionDenied):
        services.deal_approve(deal=deal, acting_user=other_cam)
    with pytest.raises(services.RegistrationError):
        services.deal_reject(deal=deal, acting_user=cam, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_reject(deal=deal, acting_user=cam, reason="Already in pipeline")
    assert deal.status == "rejected"
    assert list(deal.events.values_list("from_status", "to_status")) == [("pending", "rejected")]
    assert "Already in pipeline" in mail.outbox[0].body


def test_deal_notes_written_by_both_sides_only(partner, partner_member, cam, other_partner_user, other_cam):
    deal = DealFactory(partner=partner)
    services.deal_note_add(deal=deal, author=partner_member, body="Kickoff on Monday")
    services.deal_note_add(deal=deal, author=cam, body="Looping in Sally")
    for outsider in (other_partner_user, other_cam):
        with pytest.raises(PermissionDenied):
            services.deal_note_add(deal=deal, author=outsider, body="hi")
    assert [n.body for n in deal.notes.all()] == ["Kickoff on Monday", "Looping in Sally"]


# --- the race ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_never_push_a_partner_past_its_cap():
    if connection.vendor != "postgresql":
        pytest.skip("the row-lock race test needs PostgreSQL (set DATABASE_URL)")
    partner = PartnerFactory(tier=Tier.SOLUTIONS_PARTNER)
    user = PartnerUserFactory(partner=partner)
    DomainRegistrationFactory.create_batch(8, partner=partner, status="registered", expires_on=dt.date(2030, 1, 1))
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []

    def submit(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.registration_submit(partner=partner, domain=f"race{i}.com", acting_user=user)
            outcomes.append("ok")
        except services.CapReached:
            outcomes.append("cap")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 2
    assert outcomes.count("cap") == threads_count - 2
    assert DomainRegistration.objects.filter(partner=partner, status__in=["pending", "registered"]).count() == 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_of_one_domain_leave_one_holder():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    users = [PartnerUserFactory(partner=PartnerFactory()) for _ in range(6)]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def submit(user) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.registration_submit(partner=user.partner, domain="hot-prospect.com", acting_user=user)
            outcomes.append("ok")
        except services.DomainTaken:
            outcomes.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["taken"] * 5


def test_configuration_row_is_created_with_the_seed_defaults_by_migration():
    config = RegistrationConfig.objects.get(pk=1)
    assert (config.cap_elite, config.cap_diamond, config.cap_platinum, config.cap_gold) == (175, 75, 25, 15)
    assert (config.cap_solutions_partner, config.cap_provider) == (10, 5)
    assert (config.validity_months, config.extension_months, config.max_extensions, config.reminder_days) == (
        6,
        3,
        1,
        14,
    )
    assert (config.caps_effective_from, config.compliance_deadline) == (dt.date(2022, 2, 1), dt.date(2022, 4, 1))


def test_config_admin_is_editable_but_never_a_second_row(client_for, staff):
    client = client_for(staff)
    response = client.get("/admin/registrations/registrationconfig/1/change/")
    assert 'name="cap_elite"' in response.content.decode()
    assert client.get("/admin/registrations/registrationconfig/add/").status_code == 403


def _in_open_transaction(work, *, opened: threading.Event, release: threading.Event, result: dict) -> threading.Thread:
    """A thread that runs `work()` in a transaction and keeps it open (locks held) until `release`."""
    from django.db import connections, transaction

    def body() -> None:
        try:
            with transaction.atomic():
                result["value"] = work()
                opened.set()
                assert release.wait(30), "the test never released the open transaction"
        except Exception as exc:  # reported to the test thread
            result["error"] = exc
            opened.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def _in_thread(work, result: dict) -> threading.Thread:
    from django.db import connections

    def body() -> None:
        try:
            result["value"] = work()
        except Exception as exc:
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_compliance_runs_open_one_hold_without_crashing(fill):
    """The second run waits for the first and then finds its hold (it used to crash with IntegrityError)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    over = PartnerFactory(tier=Tier.SOLUTIONS_PARTNER)
    fill(over, 12)
    opened, release, first, second = threading.Event(), threading.Event(), {}, {}
    holder = _in_open_transaction(
        lambda: services.compliance_check(on=dt.date(2022, 4, 1)), opened=opened, release=release, result=first
    )
    assert opened.wait(30)
    runner = _in_thread(lambda: services.compliance_check(on=dt.date(2022, 4, 1)), second)
    runner.join(1.0)
    assert runner.is_alive(), "the second run must wait for the first one's transaction"
    release.set()
    holder.join()
    runner.join()

    assert "error" not in first and "error" not in second, (first, second)
    assert first["value"] == {"opened": 1, "closed": 0}
    assert second["value"] == {"opened": 0, "closed": 0}
    assert CommissionHold.objects.filter(partner=over, ended_on__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_submit_completes_while_an_mrr_import_holds_its_partner_locks():
    """The importer's FOR KEY SHARE on the file's partners does not block the cap check's row lock."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from tiers.services import mrr_import
    from tiers.tests.factories import points_rules

    points_rules()
    partner = PartnerFactory(partner_id="P1", tier=Tier.SOLUTIONS_PARTNER)
    user = PartnerUserFactory(partner=partner)
    header = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"
    lines = [header, "P1,2022-08,acme.com,US,USD,100,0\n"]
    opened, release, imported, submitted = threading.Event(), threading.Event(), {}, {}
    importer = _in_open_transaction(lambda: mrr_import(lines=lines), opened=opened, release=release, result=imported)
    assert opened.wait(30)
    assert "error" not in imported, imported

    def submit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a blocked submit fails instead of hanging the test
        return services.registration_submit(partner=partner, domain="during-import.com", acting_user=user).status

    submitter = _in_thread(submit, submitted)
    submitter.join(10)
    finished_while_import_open = not submitter.is_alive()
    release.set()
    importer.join()
    submitter.join()

    assert finished_while_import_open and submitted == {"value": "pending"}, submitted
    assert DomainRegistration.objects.filter(partner=partner, domain="during-import.com").exists()
    assert imported["value"] == 1
