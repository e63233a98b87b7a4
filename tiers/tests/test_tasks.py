"""The beat tasks: each works out its own period from the run date and is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from portal.models import JobRun, Tier
from tests.factories import PartnerFactory
from tiers import engine, tasks
from tiers.models import TierChange
from tiers.services import RunRefused
from tiers.tests.factories import (
    partner_platinum_from_september_2022,
    points_rules,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2023, 1, 15), dt.date(2023, 1, 15)),
        (dt.date(2023, 1, 16), dt.date(2023, 1, 15)),
        (dt.date(2023, 1, 14), dt.date(2022, 7, 15)),
        (dt.date(2023, 7, 15), dt.date(2023, 7, 15)),
        (dt.date(2023, 12, 31), dt.date(2023, 7, 15)),
    ],
)
def test_reassessment_date_is_the_latest_15_january_or_july(today, expected):
    assert engine.last_reassessment_date(today) == expected


@time_machine.travel(dt.datetime(2022, 9, 1, 3, 0, tzinfo=dt.UTC))
def test_monthly_task_evaluates_the_month_just_ended_once():
    partner = partner_platinum_from_september_2022()

    first = tasks.run_monthly_evaluation.apply().get()
    second = tasks.run_monthly_evaluation.apply().get()

    assert (first["month"], first["ran"], second["ran"]) == ("2022-08", True, False)
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == (Tier.PLATINUM, dt.date(2022, 9, 1))
    assert JobRun.objects.get().period == "2022-08"
    assert JobRun.objects.get().outcome == "done"


def test_monthly_task_fails_on_a_refusal_and_the_ledger_says_why(staff, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),  # the staff email leaves through the outbox
        pytest.raises(RunRefused, match="no published rule set"),  # the task fails; it never reports success
    ):
        tasks.run_monthly_evaluation.apply(args=["2022-09-01"])
    run = JobRun.objects.get()
    assert (run.job, run.period, run.outcome) == ("monthly_evaluation", "2022-08", "refused")
    assert "no published rule set" in run.reason
    assert [m.to for m in mailoutbox] == [[staff.email]]


def test_reassessment_task_runs_for_the_half_year_just_ended():
    points_rules()
    partner = PartnerFactory(tier=Tier.ELITE)
    for run_date in ("2022-08-01", "2022-09-01", "2022-10-01", "2022-11-01", "2022-12-01", "2023-01-01"):
        tasks.run_monthly_evaluation.apply(args=[run_date]).get()

    result = tasks.run_reassessment.apply(args=["2023-01-15"]).get()
    again = tasks.run_reassessment.apply(args=["2023-01-20"]).get()

    assert (result["on"], result["ran"], again["ran"]) == ("2023-01-15", True, False)
    partner.refresh_from_db()
    assert partner.tier == Tier.SOLUTIONS_PARTNER
    assert TierChange.objects.get().effective_on == dt.date(2023, 1, 15)
