"""The operations interface (issue 3): exit status, stderr, and nothing written on rejected input."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from portal.models import JobRun, Partner, PartnerKind, Tier
from tests.factories import PartnerFactory
from tiers.models import CustomerMRR, MonthlySnapshot, RuleSet, TierChange
from tiers.tests.commands import rejected, run, write
from tiers.tests.factories import (
    legacy_rules,
    month_date,
    months,
    mrr,
    partner_platinum_from_september_2022,
    points_rules,
    rules_doc,
)

pytestmark = pytest.mark.django_db


# --- import_partners -----------------------------------------------------------

PARTNERS_HEADER = "partner_id,name,kind,country,joined_on,tier\n"


def test_import_partners_creates_and_updates_by_partner_id(tmp_path):
    PartnerFactory(partner_id="P1", name="Old name", tier=Tier.GOLD)
    path = write(
        tmp_path,
        "p.csv",
        PARTNERS_HEADER
        + "P1,New name,solutions_partner,US,2020-01-01,platinum\n"
        + "P2,Tokyo Agency,solutions_partner,jp,2021-02-03,\n"
        + "P3,Provider Co,provider,BR,2021-02-03,elite\n",
    )

    output = run("import_partners", path)

    assert "1 created" not in output and "2 created, 1 updated" in output
    p1, p2, p3 = Partner.objects.order_by("partner_id")
    assert (p1.name, p1.tier) == ("New name", Tier.PLATINUM)
    assert TierChange.objects.get(partner=p1).reason == "manual"
    assert (p2.country.code, p2.region, p2.tier, p2.tier_since) == (
        "JP",
        "japan",
        "solutions_partner",
        dt.date(2021, 2, 3),
    )
    assert (p3.kind, p3.tier, p3.region) == (PartnerKind.PROVIDER, Tier.SOLUTIONS_PARTNER, "latam")


def test_import_partners_without_tier_column_defaults_new_partners(tmp_path):
    path = write(tmp_path, "p.csv", "partner_id,name,kind,country,joined_on\nP9,Nine,solutions_partner,DE,2020-05-05\n")
    run("import_partners", path)
    assert Partner.objects.get(partner_id="P9").tier == Tier.SOLUTIONS_PARTNER


def test_import_partners_rejects_every_bad_line_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        "p.csv",
        PARTNERS_HEADER
        + "P1,Good,solutions_partner,US,2020-01-01,gold\n"
        + "P2,Bad kind,reseller,US,2020-01-01,\n"
        + "P3,Bad country,provider,XX,2020-01-01,\n"
        + "P4,Bad date,provider,US,01/02/2020,\n"
        + "P5,Bad tier,solutions_partner,US,2020-01-01,silver\n"
        + "P1,Twice,solutions_partner,US,2020-01-01,\n",
    )

    message = rejected("import_partners", path)

    for line in ("line 3:", "line 4:", "line 5:", "line 6:", "line 7:"):
        assert line in message
    assert "line 2:" not in message
    assert not Partner.objects.exists()


def test_import_partners_rejects_a_wrong_header_and_a_missing_file(tmp_path):
    assert "expected header" in rejected("import_partners", write(tmp_path, "p.csv", "id,name\nP1,x\n"))
    assert "no such file" in rejected("import_partners", str(tmp_path / "missing.csv"))


# --- import_rules ---------------------------------------------------------------


def rules_file(tmp_path, **changes) -> str:
    document = rules_doc()
    document.update(changes)
    return write(tmp_path, "rules.json", json.dumps(document))


def test_import_rules_publishes_unless_draft(tmp_path):
    run("import_rules", rules_file(tmp_path, name="Published"))
    run("import_rules", rules_file(tmp_path, name="Draft"), "--draft")

    assert dict(RuleSet.objects.values_list("name", "status")) == {"Published": "published", "Draft": "draft"}
    rule_set = RuleSet.objects.get(name="Published")
    assert rule_set.requirements.get(tier="gold", metric="points").threshold == Decimal("100")
    assert rule_set.coefficients.get(currency="JPY").sales == Decimal("0.000250000000")


def test_sample_rule_files_import_and_judge_a_month():
    from pathlib import Path

    rules = Path(__file__).resolve().parent.parent / "rules"
    run("import_rules", str(rules / "legacy-2021.json"))
    run("import_rules", str(rules / "points-fy2022.json"))
    run("import_rules", str(rules / "points-fy2023-draft.json"), "--draft")
    partner = PartnerFactory()
    mrr(partner, "2022-08", currency="JPY", customer_country="JP", sold="600000", managed="1200000")  # 150 + 100

    run("run_monthly", "--month", "2022-08")

    assert partner.snapshots.get().achieved_tier == Tier.GOLD
    assert dict(RuleSet.objects.values_list("name", "status")) == {
        "Legacy 2021": "published",
        "Points FY2022": "published",
        "Points FY2023": "draft",
    }


def test_set_tier_records_a_manual_change_and_rejects_providers():
    partner = PartnerFactory(partner_id="P1")
    PartnerFactory(partner_id="PV", kind=PartnerKind.PROVIDER)

    assert "solutions_partner → diamond from 2022-03-01" in run(
        "set_tier", "P1", "diamond", "--note", "contract", "--on", "2022-03-01"
    )

    change = TierChange.objects.get(partner=partner)
    assert (change.reason, change.note) == ("manual", "contract")
    assert "providers have no tier ladder" in rejected("set_tier", "PV", "gold", "--note", "x")
    assert "unknown tier" in rejected("set_tier", "P1", "silver", "--note", "x")
    assert "unknown partner" in rejected("set_tier", "P404", "gold", "--note", "x")


def test_import_rules_replaces_an_unused_rule_set_of_the_same_name(tmp_path):
    run("import_rules", rules_file(tmp_path, emerging_market_multiplier="2"))
    run("import_rules", rules_file(tmp_path, emerging_market_multiplier="3"), "--draft")

    rule_set = RuleSet.objects.get()
    assert (rule_set.emerging_market_multiplier, rule_set.status) == (Decimal("3"), "draft")
    assert rule_set.requirements.count() == 8


def bad_tiers(**override) -> dict:
    tiers = json.loads(json.dumps(rules_doc()["tiers"]))
    tiers.update(override)
    return tiers


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"framework": "bonus"}, "unknown framework"),
        ({"tiers": {k: v for k, v in rules_doc()["tiers"].items() if k != "diamond"}}, "missing tier 'diamond'"),
        ({"tiers": bad_tiers(platinum={"points": "90", "min_sales_points": "30"})}, "must increase"),
        ({"tiers": bad_tiers(gold={"points": "-1", "min_sales_points": "0"})}, "must not be negative"),
        ({"emerging_market_multiplier": "-2"}, "emerging_market_multiplier"),
        (
            {"coefficients": {"USD": {"sales": "0.03", "managed": "0.01"}, "XYZ": {"sales": "1", "managed": "1"}}},
            "unknown currency code 'XYZ'",
        ),
        ({"coefficients": {"USD": {"sales": "-0.03", "managed": "0.01"}}}, "above 0"),
        ({"tiers": bad_tiers(gold={"sold_mrr": "1", "managed_mrr": "2"})}, "tiers.gold: unknown key 'sold_mrr'"),
        ({"effective_from": "16/07/2022"}, "effective_from"),
    ],
)
def test_import_rules_rejections_write_nothing(tmp_path, changes, expected):
    message = rejected("import_rules", rules_file(tmp_path, **changes))
    assert expected in message
    assert not RuleSet.objects.exists()


def test_import_rules_rejects_a_legacy_set_with_decreasing_thresholds(tmp_path):
    tiers = {
        "gold": {"sold_mrr": "1000", "managed_mrr": "2000"},
        "platinum": {"sold_mrr": "3000", "managed_mrr": "6000"},
        "diamond": {"sold_mrr": "2000", "managed_mrr": "20000"},
        "elite": {"sold_mrr": "65000", "managed_mrr": "170000"},
    }
    message = rejected("import_rules", rules_file(tmp_path, framework="legacy", tiers=tiers))
    assert "diamond sold_mrr" in message


def test_import_rules_rejects_a_name_that_already_judged_a_month(tmp_path):
    path = rules_file(tmp_path)
    run("import_rules", path)
    PartnerFactory()
    run("run_monthly", "--month", "2022-08")

    message = rejected("import_rules", rules_file(tmp_path, emerging_market_multiplier="5"))

    assert "already judged" in message
    assert RuleSet.objects.get().emerging_market_multiplier == Decimal("2")


def test_import_rules_rejects_invalid_json(tmp_path):
    assert "not valid JSON" in rejected("import_rules", write(tmp_path, "r.json", "{nope"))


# --- import_mrr ---------------------------------------------------------------

MRR_HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"


def test_import_mrr_inserts_and_replaces_by_key(tmp_path):
    points_rules(effective_from="2022-01-01")  # MRR is accepted only for months a rule set judges
    partner = PartnerFactory(partner_id="P1")
    mrr(partner, "2022-08", customer_domain="acme.com", sold="1")
    path = write(
        tmp_path,
        "m.csv",
        MRR_HEADER + "P1,2022-08,ACME.com,us,usd,100.50,20\nP1,2022-08,beta.co.jp,JP,JPY,12000,0\n",
    )

    assert "2 rows" in run("import_mrr", path)

    rows = {r.customer_domain: r for r in CustomerMRR.objects.all()}
    assert set(rows) == {"acme.com", "beta.co.jp"}
    assert (rows["acme.com"].sold_mrr, rows["acme.com"].currency) == (Decimal("100.50"), "USD")
    assert rows["beta.co.jp"].month == dt.date(2022, 8, 1)


def test_import_mrr_rejects_the_whole_file_listing_every_bad_line(tmp_path):
    points_rules(effective_from="2022-01-01")  # MRR is accepted only for months a rule set judges
    PartnerFactory(partner_id="P1")
    lines = [
        "P1,2022-08,good.com,US,USD,1,1",  # 2: fine
        "P404,2022-08,a.com,US,USD,1,1",  # 3: unknown partner
        "P1,2022-13,b.com,US,USD,1,1",  # 4: bad month
        "P1,2022-08,c.com,XX,USD,1,1",  # 5: bad country
        "P1,2022-08,d.com,US,XYZ,1,1",  # 6: bad currency
        "P1,2022-08,e.com,US,USD,-5,1",  # 7: negative
        "P1,2022-08,f.com,US,USD,1,abc",  # 8: non-numeric
        "P1,2022-08,good.com,US,USD,2,2",  # 9: same key as line 2
    ]
    path = write(tmp_path, "m.csv", MRR_HEADER + "\n".join(lines) + "\n")

    message = rejected("import_mrr", path)

    assert "unknown partner 'P404'" in message and "line 3:" in message
    assert "line 4: bad month" in message
    assert "line 5: unknown country code" in message
    assert "line 6: unknown currency code" in message
    assert "line 7: sold_mrr '-5' is negative" in message
    assert "line 8: managed_mrr 'abc' is non-numeric" in message
    assert "line 9:" in message and "lines 2, 9" in message
    assert not CustomerMRR.objects.exists()


def test_import_mrr_rejects_a_clean_file_with_one_key_twice(tmp_path):
    """No other error: PostgreSQL finds the repeat in the upsert itself; the lines are still listed."""
    points_rules(effective_from="2022-01-01")  # MRR is accepted only for months a rule set judges
    partner = PartnerFactory(partner_id="P1")
    mrr(partner, "2022-08", customer_domain="kept.com", sold="7")
    lines = ["P1,2022-08,a.com,US,USD,1,1", "P1,2022-08,kept.com,US,USD,2,2", "P1,2022-08,A.com,US,USD,3,3"]
    path = write(tmp_path, "m.csv", MRR_HEADER + "\n".join(lines) + "\n")

    message = rejected("import_mrr", path)

    assert "line 2:" in message and "line 4:" in message and "lines 2, 4" in message
    assert "line 3:" not in message
    assert list(CustomerMRR.objects.values_list("customer_domain", "sold_mrr")) == [("kept.com", Decimal("7.00"))]


def test_import_mrr_rejects_a_wrong_header(tmp_path):
    path = write(tmp_path, "m.csv", "partner,month\nP1,2022-08\n")
    assert "expected header" in rejected("import_mrr", path)


# --- run_monthly / reassess ----------------------------------------------------------


def test_run_monthly_evaluates_and_a_second_run_changes_nothing():
    partner_platinum_from_september_2022()

    assert "1 partners, 1 promoted" in run("run_monthly", "--month", "2022-08")
    assert "already evaluated" in run("run_monthly", "--month", "2022-08")
    assert JobRun.objects.count() == 1 and TierChange.objects.count() == 1


@pytest.mark.parametrize("month", ["2022-8", "22-08", "2022-13", "august"])
def test_run_monthly_rejects_a_bad_month(month):
    assert "--month must be YYYY-MM" in rejected("run_monthly", "--month", month)


def test_run_monthly_refuses_without_rule_set_in_force():
    legacy_rules(effective_from="2023-01-01")
    PartnerFactory()
    assert "no published rule set" in rejected("run_monthly", "--month", "2022-08")
    assert list(JobRun.objects.values_list("outcome", flat=True)) == ["refused"]  # the ledger says so
    assert not MonthlySnapshot.objects.exists()


def test_run_monthly_refuses_when_a_currency_has_no_coefficient():
    points_rules(currencies=["USD"])
    mrr(PartnerFactory(), "2022-08", currency="ZAR", customer_country="ZA", sold="10")
    assert "ZAR" in rejected("run_monthly", "--month", "2022-08")
    assert list(JobRun.objects.values_list("outcome", flat=True)) == ["refused"]
    assert not MonthlySnapshot.objects.exists()


def test_reassess_refuses_naming_missing_months_and_rejects_bad_dates():
    points_rules()
    PartnerFactory()
    run("run_monthly", "--month", "2022-07")

    message = rejected("reassess", "--on", "2023-01-15")

    assert "2022-08, 2022-09, 2022-10, 2022-11, 2022-12" in message and "2022-07" not in message
    assert "--on must be YYYY-MM-DD" in rejected("reassess", "--on", "2023-01-32")
    assert list(JobRun.objects.filter(job="reassessment").values_list("outcome", flat=True)) == ["refused"]


def test_reassess_runs_once():
    points_rules()
    partner = PartnerFactory(tier=Tier.DIAMOND)
    for month in months("2022-07", "2022-12"):
        run("run_monthly", "--month", month)

    assert "1 changed (0 up, 1 down)" in run("reassess", "--on", "2023-01-15")
    assert "already ran" in run("reassess", "--on", "2023-01-15")
    partner.refresh_from_db()
    assert partner.tier == Tier.SOLUTIONS_PARTNER and TierChange.objects.count() == 1


# --- partner_status --------------------------------------------------------------------


def test_partner_status_prints_the_exact_json_shape():
    legacy_rules()
    points_rules()
    partner = PartnerFactory(partner_id="P00042", name="Sakura Growth", country="JP", region="japan")
    for month in months("2022-05", "2022-12"):
        mrr(partner, month, currency="JPY", customer_country="JP", sold="360000", managed="240000")
    for month in months("2022-05", "2022-12"):
        run("run_monthly", "--month", month)

    status = json.loads(run("partner_status", "P00042", "--json"))

    # The keys, in order; other apps (registrations) append theirs after them.
    assert list(status)[:7] == ["partner_id", "name", "kind", "tier", "tier_since", "snapshots", "tier_changes"]
    assert (status["partner_id"], status["name"], status["kind"]) == ("P00042", "Sakura Growth", "solutions_partner")
    assert (status["tier"], status["tier_since"]) == ("gold", "2022-06-01")
    assert [s["month"] for s in status["snapshots"]] == months("2022-05", "2022-12")
    may, august = status["snapshots"][0], status["snapshots"][3]
    assert may == {
        "month": "2022-05",
        "sales_points": "0.00",
        "managed_points": "0.00",
        "points": "0.00",
        "achieved_tier": "gold",
        "rule_set": "Legacy 2021",
    }
    assert august == {
        "month": "2022-08",
        "sales_points": "90.00",
        "managed_points": "20.00",
        "points": "110.00",
        "achieved_tier": "gold",
        "rule_set": "Points 2022",
    }
    assert status["tier_changes"] == [
        {"effective_on": "2022-06-01", "from": "solutions_partner", "to": "gold", "reason": "promotion"}
    ]


def test_partner_status_on_a_date_gives_the_tier_then():
    points_rules()
    partner = PartnerFactory(partner_id="P7", joined_on=dt.date(2020, 1, 1), tier_since=dt.date(2020, 1, 1))
    mrr(partner, "2022-08", sold="10000")
    run("run_monthly", "--month", "2022-08")

    before = json.loads(run("partner_status", "P7", "--json", "--on", "2022-08-31"))
    after = json.loads(run("partner_status", "P7", "--json", "--on", "2022-09-01"))

    assert (before["tier"], before["tier_since"]) == ("solutions_partner", "2020-01-01")
    assert (after["tier"], after["tier_since"]) == ("platinum", "2022-09-01")


def test_partner_status_of_a_provider_has_no_tier():
    PartnerFactory(partner_id="PV1", kind=PartnerKind.PROVIDER)
    status = json.loads(run("partner_status", "PV1", "--json"))
    assert (status["kind"], status["tier"], status["snapshots"]) == ("provider", None, [])


def test_partner_status_rejects_unknown_partner_and_bad_date():
    PartnerFactory(partner_id="P1")
    assert "unknown partner 'P404'" in rejected("partner_status", "P404", "--json")
    assert "--on must be YYYY-MM-DD" in rejected("partner_status", "P1", "--json", "--on", "yesterday")
    assert "--json is required" in rejected("partner_status", "P1")


def test_commands_exit_non_zero_with_message_on_stderr(tmp_path):
    """Through the real entry point: status 1 and the reason on stderr."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "run_monthly", "--month", "2022-99"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "--month must be YYYY-MM" in result.stderr


def test_month_helper_matches_months():
    assert month_date("2022-07") == dt.date(2022, 7, 1)
