from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from enablement import services
from enablement.models import (
    AccreditationApplication,
    AccreditationStatus,
    AuditEntry,
    Certification,
    PartnerAccreditation,
)
from enablement.selectors import accreditation_eligible_ids, certification_counts
from enablement.services import EnablementError

pytestmark = pytest.mark.django_db
JULY = dt.date(2022, 7, 10)


def _tier(partner, tier):
    partner.tier = tier
    partner.save(update_fields=["tier"])
    return partner


def _certs(partner):
    """Aiko: two valid certifications, one expiring soon after JULY; Ben: one expired; Hiro: one with no end."""
    held = [
        ("Aiko", "Inbound", dt.date(2021, 1, 1), dt.date(2023, 1, 1)),
        ("Aiko", "Sales Hub", dt.date(2021, 1, 1), dt.date(2022, 8, 1)),
        ("Ben", "Old", dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
        ("Hiro", "Solutions Partner", dt.date(2022, 1, 1), None),
    ]
    Certification.objects.bulk_create(
        Certification(partner=partner, holder_name=holder, name=name, issued_on=issued, expires_on=expires)
        for holder, name, issued, expires in held
    )


def test_certification_counts_split_valid_expiring_and_people(partner):
    _certs(partner)
    counts = certification_counts(partner=partner, today=JULY)
    assert (counts.total, counts.valid, counts.expiring_soon, counts.people) == (4, 3, 1, 2)


@pytest.mark.parametrize(
    ("tier", "day", "eligible"),
    [
        ("diamond", dt.date(2022, 6, 30), False),
        ("diamond", dt.date(2022, 7, 1), True),
        ("elite", dt.date(2022, 7, 1), True),
        ("platinum", dt.date(2022, 7, 1), False),
        ("platinum", dt.date(2022, 12, 1), True),
        ("gold", dt.date(2023, 1, 1), False),
    ],
)
def test_eligibility_follows_tier_and_rollout_dates(partner, advanced_crm, tier, day, eligible):
    _tier(partner, tier)
    assert (advanced_crm.pk in accreditation_eligible_ids(partner=partner, on=day)) is eligible


def test_apply_inside_window_then_double_application_is_refused(partner, partner_admin, advanced_crm, window):
    _tier(partner, "diamond")
    services.accreditation_apply(user=partner_admin, accreditation=advanced_crm, today=JULY)
    with pytest.raises(EnablementError, match="already applied"):
        services.accreditation_apply(user=partner_admin, accreditation=advanced_crm, today=JULY)
    assert AccreditationApplication.objects.count() == 1


def test_applying_outside_a_window_is_refused(partner, partner_admin, advanced_crm, window):
    _tier(partner, "diamond")
    with pytest.raises(EnablementError, match="closed"):
        services.accreditation_apply(user=partner_admin, accreditation=advanced_crm, today=dt.date(2022, 8, 1))
    assert not AccreditationApplication.objects.exists()


def test_applying_before_the_tier_rollout_is_refused(partner, partner_admin, advanced_crm, window):
    _tier(partner, "platinum")
    with pytest.raises(EnablementError, match="not open to your tier"):
        services.accreditation_apply(user=partner_admin, accreditation=advanced_crm, today=JULY)
    assert not AccreditationApplication.objects.exists()


def test_approval_grants_for_six_months_audits_and_emails(
    partner, partner_admin, staff, advanced_crm, window, mailoutbox, django_capture_on_commit_callbacks
):
    _tier(partner, "elite")
    application = services.accreditation_apply(user=partner_admin, accreditation=advanced_crm, today=JULY)
    with django_capture_on_commit_callbacks(execute=True):
        services.accreditation_decide(application=application, approve=True, actor=staff, today=JULY)
    holding = PartnerAccreditation.objects.get()
    assert (holding.status, holding.next_review_on) == ("active", dt.date(2023, 1, 10))
    assert AuditEntry.objects.filter(subject="partner_accreditation", to_state="active", actor=staff).exists()
    assert mailoutbox[0].to == [partner_admin.email]


def _holding(partner, accreditation, next_review=dt.date(2023, 1, 1)):
    return PartnerAccreditation.objects.create(
        partner=partner, accreditation=accreditation, granted_on=dt.date(2022, 7, 1), next_review_on=next_review
    )


def test_more_than_three_marks_on_record_sends_the_partner_to_the_review_board(partner, staff, advanced_crm):
    holding = _holding(partner, advanced_crm)
    for i in range(3):
        services.accreditation_mark_record(holding=holding, note=f"issue {i}", actor=staff)
    holding.refresh_from_db()
    assert holding.status == AccreditationStatus.ACTIVE
    services.accreditation_mark_record(holding=holding, note="issue 4", actor=staff)
    holding.refresh_from_db()
    assert holding.status == AccreditationStatus.REVIEW_BOARD
    entry = AuditEntry.objects.get(subject="partner_accreditation", to_state="review_board")
    assert "4 marks" in entry.reason


def test_reevaluation_renews_an_eligible_partner_and_lapses_one_that_dropped_a_tier(
    partner, other_partner, advanced_crm
):
    keep = _holding(_tier(partner, "diamond"), advanced_crm)
    lose = _holding(_tier(other_partner, "gold"), advanced_crm)
    call_command("reevaluate_accreditations", "--date", "2023-01-02")
    keep.refresh_from_db()
    lose.refresh_from_db()
    assert (keep.status, keep.next_review_on) == ("active", dt.date(2023, 7, 2))
    assert lose.status == "lapsed"
    call_command("reevaluate_accreditations", "--date", "2023-01-02")
    assert AuditEntry.objects.filter(subject="partner_accreditation").count() == 2


def test_beat_task_reevaluates_due_holdings_and_reports_counts(partner, other_partner, advanced_crm):
    from enablement.tasks import reevaluate_accreditations

    _holding(_tier(partner, "diamond"), advanced_crm)
    lose = _holding(_tier(other_partner, "gold"), advanced_crm)
    assert reevaluate_accreditations.apply(kwargs={"on": "2023-01-02"}).get() == {"reevaluated": 2, "lapsed": 1}
    lose.refresh_from_db()
    assert lose.status == "lapsed"
    # A second run the same day finds nothing due.
    assert reevaluate_accreditations.apply(kwargs={"on": "2023-01-02"}).get() == {"reevaluated": 0, "lapsed": 0}


def test_partner_page_shows_counts_and_accreditations_of_its_own_partner_only(
    partner, partner_member, other_partner, advanced_crm, client_for, django_assert_max_num_queries
):
    _certs(partner)
    Certification.objects.create(
        partner=other_partner, holder_name="Zed Other", name="Secret cert", issued_on=dt.date(2022, 1, 1)
    )
    _holding(partner, advanced_crm)
    client = client_for(partner_member)
    with time_machine.travel(dt.datetime(2022, 7, 10, tzinfo=dt.UTC), tick=False), django_assert_max_num_queries(12):
        body = client.get(reverse("enablement:index")).content.decode()
    assert 'id="cert-valid">3<' in body and 'id="cert-expiring">1<' in body
    assert "Advanced CRM" in body
    assert "Zed Other" not in body and "Secret cert" not in body


def test_enablement_page_is_404_for_cams_and_staff(cam, other_cam, staff, client_for):
    for person in (cam, other_cam, staff):
        assert client_for(person).get(reverse("enablement:index")).status_code == 404


def test_template_tags_render_the_given_partner_and_nothing_of_another(partner, other_partner, advanced_crm):
    _certs(partner)
    _holding(partner, advanced_crm)
    Certification.objects.create(partner=other_partner, holder_name="X", name="Y", issued_on=dt.date(2022, 1, 1))
    template = Template("{% load enablement_tags %}{% partner_enablement_summary partner %}")
    with time_machine.travel(dt.datetime(2022, 7, 10, tzinfo=dt.UTC), tick=False):
        own = template.render(Context({"partner": partner}))
        other = template.render(Context({"partner": other_partner}))
    assert 'data-partner="P10001"' in own and "Advanced CRM" in own
    assert 'data-partner="P20002"' in other and "Advanced CRM" not in other
    assert ">3<" in own.replace(" ", "") and ">1<" in other.replace(" ", "")


def test_enablement_page_in_japanese(partner, partner_member, client_for):
    body = client_for(partner_member).get(reverse("enablement:index"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "有効な認定資格" in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_reevaluations_report_only_what_each_wrote(cam, other_cam, advanced_crm):
    """The second run waits on the first's row locks and then writes (and reports) nothing."""
    import threading

    from django.db import connection, connections, transaction

    from tests.factories import PartnerFactory

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    for i in range(5):
        _holding(PartnerFactory(tier="diamond", partner_id=f"K{i}"), advanced_crm)
        _holding(PartnerFactory(tier="gold", partner_id=f"L{i}"), advanced_crm)
    opened, release, first, second = threading.Event(), threading.Event(), {}, {}

    def hold_open() -> None:
        try:
            with transaction.atomic():
                first["value"] = services.accreditations_reevaluate_due(today=dt.date(2023, 1, 2))
                opened.set()
                release.wait(30)
        finally:
            opened.set()
            connections.close_all()

    def run_second() -> None:
        try:
            second["value"] = services.accreditations_reevaluate_due(today=dt.date(2023, 1, 2))
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_open)
    holder.start()
    assert opened.wait(30)
    runner = threading.Thread(target=run_second)
    runner.start()
    runner.join(1.0)
    assert runner.is_alive(), "the second run must wait on the first one's rows"
    release.set()
    holder.join()
    runner.join()

    assert first["value"] == {"reevaluated": 10, "lapsed": 5}
    assert second["value"] == {"reevaluated": 0, "lapsed": 0}
    assert AuditEntry.objects.filter(subject="partner_accreditation").count() == 10
    assert PartnerAccreditation.objects.filter(status=AccreditationStatus.LAPSED).count() == 5
