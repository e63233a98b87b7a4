"""run_due and the tier jobs: missed ticks caught up once, late MRR waits, corrections, reassessment as of its date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from portal.models import JobRun, Tier
from tests.factories import PartnerFactory
from tiers import services
from tiers.models import MonthCompleteness, MonthlySnapshot, TierChange
from tiers.selectors import tier_on
from tiers.tests.commands import rejected, run
from tiers.tests.factories import (
    months,
    mrr,
    partner_platinum_from_september_2022,
    points_rules,
)

pytestmark = pytest.mark.django_db

HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"


def mrr_file(tmp_path, partner, month: str, sold: str, name: str = "mrr.csv") -> str:
    path = tmp_path / name
    path.write_text(f"{HEADER}{partner.partner_id},{month},acme.example.com,US,USD,{sold},0\n", encoding="utf-8")
    return str(path)


def complete(*periods: str) -> None:
    services.mrr_months_mark_complete(months=[dt.date.fromisoformat(f"{p}-01") for p in periods], by="test")


def monthly_runs() -> list[tuple[str, str]]:
    return list(JobRun.objects.filter(job="monthly_evaluation").order_by("period").values_list("period", "outcome"))


def test_beat_restarted_after_the_tick_runs_the_missed_month_exactly_once():
    partner = partner_platinum_from_september_2022()
    complete("2022-08")

    # Beat was down at 03:00 on 1 September; it comes back at 05:30 and run_due catches up.
    with time_machine.travel(dt.datetime(2022, 9, 1, 5, 30, tzinfo=dt.UTC)):
        output = run("run_due")
    with time_machine.travel(dt.datetime(2022, 9, 1, 6, 5, tzinfo=dt.UTC)):
        again = run("run_due")

    assert "done     monthly_evaluation 2022-08" in output
    assert "monthly_evaluation" not in again  # twice changes nothing
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.PLATINUM, dt.date(2022, 9, 1))
    assert monthly_runs() == [("2022-08", "done")]
    assert TierChange.objects.count() == 1


def test_run_due_before_the_tick_time_runs_nothing_for_that_month():
    partner_platinum_from_september_2022()
    complete("2022-08")
    with time_machine.travel(dt.datetime(2022, 9, 1, 2, 0, tzinfo=dt.UTC)):
        run("run_due")
    assert monthly_runs() == []


def test_missed_reassessment_runs_once_after_its_months_in_date_order():
    points_rules()
    partner = PartnerFactory(tier=Tier.DIAMOND)
    mrr(partner, "2022-07", sold="0")
    complete(*months("2022-07", "2022-12"))

    # Nothing ran for half a year (beat stopped); run_due on 20 January catches up all of it.
    output = run("run_due", "--on", "2023-01-20")
    again = run("run_due", "--on", "2023-01-20")

    lines = [line for line in output.splitlines() if "monthly_evaluation" in line or "reassessment" in line]
    assert [line.split()[1:3] for line in lines] == [
        *[["monthly_evaluation", m] for m in months("2022-07", "2022-12")],
        ["reassessment", "2023-01-15"],
    ]
    assert "reassessment" not in again and "monthly_evaluation" not in again
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.SOLUTIONS_PARTNER, dt.date(2023, 1, 15))
    assert JobRun.objects.filter(job="reassessment", outcome="done").count() == 1


def test_a_month_whose_mrr_is_late_waits_then_alerts_once_then_evaluates_on_import(
    tmp_path, staff, mailoutbox, django_capture_on_commit_callbacks
):
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-07", sold="0")
    complete("2022-07")

    with time_machine.travel(dt.datetime(2022, 9, 1, 4, 0, tzinfo=dt.UTC)):
        output = run("run_due")
    assert "waiting  monthly_evaluation 2022-08: MRR for 2022-08 is not marked complete" in output
    assert not MonthlySnapshot.objects.filter(month=dt.date(2022, 8, 1)).exists()
    assert mailoutbox == []  # not late yet

    with (
        time_machine.travel(dt.datetime(2022, 9, 6, 4, 0, tzinfo=dt.UTC)),  # 6 days after August ended
        django_capture_on_commit_callbacks(execute=True),  # the alert leaves through the outbox
    ):
        run("run_due")
        run("run_due")
    assert [m.subject for m in mailoutbox] == ["MRR for 2022-08 is still not complete"]
    assert mailoutbox[0].to == [staff.email]
    assert JobRun.objects.filter(job="monthly_evaluation", period="2022-08", outcome="waiting").count() == 1

    with time_machine.travel(dt.datetime(2022, 9, 8, 10, 0, tzinfo=dt.UTC)):
        assert "Months marked complete" in run(
            "import_mrr", mrr_file(tmp_path, partner, "2022-08", "4000"), "--complete"
        )
        output = run("run_due")
    assert "done     monthly_evaluation 2022-08" in output
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.GOLD, dt.date(2022, 9, 1))
    assert MonthCompleteness.objects.get(month=dt.date(2022, 8, 1)).complete


def test_later_months_wait_behind_a_month_that_waits():
    points_rules()
    mrr(PartnerFactory(), "2022-07", sold="0")
    complete("2022-07", "2022-09")

    output = run("run_due", "--on", "2022-10-02")

    assert "waiting  monthly_evaluation 2022-08" in output
    assert "waiting  monthly_evaluation 2022-09: an earlier period (2022-08) is not done" in output
    assert monthly_runs() == [("2022-07", "done"), ("2022-08", "waiting"), ("2022-09", "waiting")]


def test_an_explicit_run_monthly_evaluates_an_incomplete_month():
    partner_platinum_from_september_2022()
    assert "1 promoted" in run("run_monthly", "--month", "2022-08")
    assert monthly_runs() == [("2022-08", "done")]


def test_importing_mrr_for_an_evaluated_month_is_refused_naming_the_correction(tmp_path):
    points_rules()
    partner = PartnerFactory()
    run("run_monthly", "--month", "2022-08")

    message = rejected("import_mrr", mrr_file(tmp_path, partner, "2022-08", "10000"))

    assert "month 2022-08 has already been evaluated" in message and "import_mrr FILE --correct" in message
    assert not partner.customer_mrr.exists()


def test_a_correction_promotes_as_of_the_original_evaluation_and_records_why(tmp_path):
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-09", sold="4000")  # September on time: Gold
    run("run_monthly", "--month", "2022-08")  # August evaluated with no data (late)
    run("run_monthly", "--month", "2022-09")
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.GOLD, dt.date(2022, 10, 1))

    output = run("import_mrr", mrr_file(tmp_path, partner, "2022-08", "10000"), "--correct")

    assert "re-evaluated: 2022-08, 2022-09" in output and "1 partners promoted" in output
    partner.refresh_from_db()
    assert partner.tier == Tier.PLATINUM
    changes = list(
        partner.tier_changes.order_by("effective_on", "created_at").values_list(
            "effective_on", "from_tier", "to_tier", "reason"
        )
    )
    assert changes == [
        (dt.date(2022, 9, 1), Tier.SOLUTIONS_PARTNER, Tier.PLATINUM, "correction"),
        (dt.date(2022, 10, 1), Tier.SOLUTIONS_PARTNER, Tier.GOLD, "promotion"),
        (dt.date(2022, 10, 1), Tier.GOLD, Tier.PLATINUM, "correction"),  # the lower promotion is superseded
    ]
    assert tier_on(partner=partner, on=dt.date(2022, 9, 15))[0] == Tier.PLATINUM
    assert tier_on(partner=partner, on=dt.date(2030, 1, 1))[0] == partner.tier  # history and tier agree
    august = MonthlySnapshot.objects.get(partner=partner, month=dt.date(2022, 8, 1))
    assert (august.achieved_tier, august.run.job) == (Tier.PLATINUM, "mrr_correction")
    assert "MRR correction of 2022-08" in partner.tier_changes.filter(reason="correction").first().note


def test_a_correction_never_demotes(tmp_path):
    points_rules()
    partner = PartnerFactory()
    mrr(partner, "2022-08", sold="10000", customer_domain="acme.example.com")
    run("run_monthly", "--month", "2022-08")
    partner.refresh_from_db()
    assert partner.tier == Tier.PLATINUM

    run("import_mrr", mrr_file(tmp_path, partner, "2022-08", "0"), "--correct")  # replaces acme's August row

    partner.refresh_from_db()
    assert partner.tier == Tier.PLATINUM
    assert not partner.tier_changes.filter(reason="correction").exists()
    snapshot = MonthlySnapshot.objects.get(partner=partner, month=dt.date(2022, 8, 1))
    assert snapshot.achieved_tier == Tier.SOLUTIONS_PARTNER  # the month itself is corrected


def _evaluate(*periods: str) -> None:
    for period in periods:
        run("run_monthly", "--month", period)


def test_a_late_reassessment_keeps_a_promotion_effective_after_its_date():
    points_rules(effective_from="2022-01-01")
    partner = PartnerFactory(tier=Tier.GOLD, joined_on=dt.date(2021, 1, 1))
    mrr(partner, "2023-07", sold="10000")  # July: Platinum, effective 1 August
    _evaluate(*months("2023-01", "2023-07"))
    partner.refresh_from_db()
    assert partner.tier == Tier.PLATINUM

    output = run("reassess", "--on", "2023-07-15")  # late: run in August

    assert "1 keep the tier they got after 2023-07-15" in output
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.PLATINUM, dt.date(2023, 8, 1))
    history = list(partner.tier_changes.order_by("effective_on").values_list("effective_on", "from_tier", "to_tier"))
    assert history == [
        (dt.date(2023, 7, 15), Tier.GOLD, Tier.SOLUTIONS_PARTNER),
        (dt.date(2023, 8, 1), Tier.GOLD, Tier.PLATINUM),
    ]
    assert tier_on(partner=partner, on=dt.date(2023, 7, 20))[0] == Tier.SOLUTIONS_PARTNER
    assert tier_on(partner=partner, on=dt.date(2023, 9, 1))[0] == partner.tier


def test_an_off_cycle_reassessment_is_refused_without_force():
    points_rules(effective_from="2022-01-01")
    partner = PartnerFactory(tier=Tier.GOLD)
    _evaluate(*months("2022-02", "2022-07"))

    message = rejected("reassess", "--on", "2022-08-15")

    assert "2022-08-15 is not a reassessment date" in message and "--force" in message
    assert "needs a reason" in rejected("reassess", "--on", "2022-08-15", "--force")
    assert not JobRun.objects.filter(job="reassessment").exists()
    partner.refresh_from_db()
    assert partner.tier == Tier.GOLD


def test_a_forced_off_cycle_reassessment_is_audited():
    points_rules(effective_from="2022-01-01")
    partner = PartnerFactory(tier=Tier.GOLD)
    _evaluate(*months("2022-02", "2022-07"))

    with time_machine.travel(dt.datetime(2022, 8, 15, 9, 0, tzinfo=dt.UTC)):
        run("reassess", "--on", "2022-08-15", "--force", "--reason", "board decision 12", "--by", "ops@example.test")

    ledger = JobRun.objects.get(job="reassessment")
    assert (ledger.period, ledger.outcome, ledger.actor) == ("2022-08-15", "done", "ops@example.test")
    assert ledger.note == "off-cycle reassessment forced by ops@example.test: board decision 12"
    assert ledger.started_at == dt.datetime(2022, 8, 15, 9, 0, tzinfo=dt.UTC)
    change = partner.tier_changes.get()
    assert (change.to_tier, change.effective_on) == (Tier.SOLUTIONS_PARTNER, dt.date(2022, 8, 15))
    assert "board decision 12" in change.note


def test_the_reassessment_dates_come_from_one_function():
    from tiers import engine

    assert engine.reassessment_dates(2024) == (dt.date(2024, 1, 15), dt.date(2024, 7, 15))
    assert engine.next_reassessment_date(dt.date(2024, 7, 16)) == dt.date(2025, 1, 15)
    assert engine.last_reassessment_date(dt.date(2024, 7, 14)) == dt.date(2024, 1, 15)
    assert not engine.is_reassessment_date(dt.date(2022, 8, 15))


def test_admin_marks_a_month_complete(client_for, staff):
    MonthCompleteness.objects.create(month=dt.date(2022, 8, 1))
    client = client_for(staff)
    row = MonthCompleteness.objects.get()

    response = client.post(
        "/admin/tiers/monthcompleteness/",
        {"action": "mark_complete", "_selected_action": [row.pk]},
        follow=True,
    )

    assert "1 month marked complete." in response.content.decode()
    row.refresh_from_db()
    assert (row.complete, row.completed_by) == (True, staff.email)


def test_a_correction_with_a_bad_file_is_refused_and_recorded(tmp_path):
    points_rules()
    partner = PartnerFactory()
    run("run_monthly", "--month", "2022-08")
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}{partner.partner_id},2022-08,acme.example.com,US,USD,lots,0\n", encoding="utf-8")

    message = rejected("import_mrr", str(path), "--correct")

    assert "line 2" in message
    correction = JobRun.objects.get(job="mrr_correction")
    assert correction.outcome == "refused" and "line 2" in correction.reason
    assert not partner.customer_mrr.exists()


def test_a_correction_raises_a_later_reassessment_that_judged_the_missing_month(tmp_path):
    points_rules()
    partner = PartnerFactory(tier=Tier.GOLD)
    _evaluate(*months("2022-07", "2022-12"))  # December's MRR was late: evaluated with nothing
    run("reassess", "--on", "2023-01-15")
    partner.refresh_from_db()
    assert partner.tier == Tier.SOLUTIONS_PARTNER

    run("import_mrr", mrr_file(tmp_path, partner, "2022-12", "4000"), "--correct")

    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.GOLD, dt.date(2023, 1, 15))
    last = partner.tier_changes.order_by("effective_on", "created_at").last()
    assert (last.reason, last.from_tier, last.to_tier) == ("correction", Tier.SOLUTIONS_PARTNER, Tier.GOLD)
    assert "(reassessment)" in last.note
