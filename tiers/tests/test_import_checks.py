"""Imports that explain themselves (issue 10 §8, issue 11 §4): encodings, refusals naming file, line and column
or key, and nothing written when a file is refused."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import translation

from portal.domains import is_normal_hostname, normalise_hostname
from portal.models import Partner
from tests.factories import PartnerFactory
from tiers import services
from tiers.models import CustomerMRR, RuleSet
from tiers.tests.commands import rejected, run
from tiers.tests.factories import points_rules, rules_doc

pytestmark = pytest.mark.django_db

PARTNERS_HEADER = "partner_id,name,kind,country,joined_on\n"
MRR_HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"
TOKYO = "株式会社トウキョウ・エージェンシー"
OSAKA = "大阪マーケティング合同会社"


def write_bytes(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def japanese_partners() -> str:
    return (
        PARTNERS_HEADER
        + f"P1,{TOKYO},solutions_partner,JP,2021-01-01\r\n"
        + f"P2,{OSAKA},solutions_partner,JP,2020-02-02\r\n"
    )


# --- encodings -------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp932", "shift_jis", "euc_jp"])
def test_a_japanese_excel_csv_imports_without_naming_its_encoding(tmp_path, encoding):
    path = write_bytes(tmp_path, "partners.csv", japanese_partners().encode(encoding))

    assert "2 created" in run("import_partners", path)

    assert dict(Partner.objects.values_list("partner_id", "name")) == {"P1": TOKYO, "P2": OSAKA}


def test_encoding_option_reads_cp932_and_a_western_file(tmp_path):
    run("import_partners", write_bytes(tmp_path, "jp.csv", japanese_partners().encode("cp932")), "--encoding", "cp932")
    french = PARTNERS_HEADER + "P3,Société Générale Conseil,solutions_partner,FR,2021-01-01\n"
    run("import_partners", write_bytes(tmp_path, "fr.csv", french.encode("cp1252")), "--encoding", "cp1252")

    assert Partner.objects.get(partner_id="P1").name == TOKYO
    assert Partner.objects.get(partner_id="P3").name == "Société Générale Conseil"


@pytest.mark.parametrize("named", [[], ["--encoding", "utf-8"], ["--encoding", "utf-8-sig"]])
def test_utf8_with_a_byte_order_mark_imports(tmp_path, named):
    path = write_bytes(tmp_path, "p.csv", japanese_partners().encode("utf-8-sig"))
    assert "2 created" in run("import_partners", path, *named)
    assert Partner.objects.get(partner_id="P2").name == OSAKA


def test_a_file_neither_utf8_nor_japanese_is_refused_naming_line_and_column(tmp_path):
    """A cp1252 file is not guessed (a guess could turn a damaged UTF-8 file into mojibake)."""
    french = PARTNERS_HEADER + "P3,Société Conseil,solutions_partner,FR,2021-01-01\n"
    path = write_bytes(tmp_path, "fr.csv", french.encode("cp1252"))

    message = rejected("import_partners", path)

    assert f"{path}: line 2, column 8: bytes 0xE9 are not UTF-8" in message
    assert "--encoding" in message
    assert not Partner.objects.exists()


def test_undecodable_bytes_are_refused_with_file_line_and_column(tmp_path):
    data = (PARTNERS_HEADER + "P1,Good,solutions_partner,US,2021-01-01\n").encode() + b"P2,Ba\xffd,solutions_partner"
    path = write_bytes(tmp_path, "p.csv", data + b",US,2021-01-01\n")

    message = rejected("import_partners", path, "--encoding", "utf-8")

    assert f"{path}: line 3, column 6: bytes 0xFF cannot be read as utf-8" in message
    assert "UnicodeDecodeError" not in message
    assert not Partner.objects.exists()


def test_a_nul_byte_is_refused_with_line_and_column_and_nothing_is_written(tmp_path):
    points_rules(effective_from="2022-01-01")
    PartnerFactory(partner_id="P1")
    data = (MRR_HEADER + "P1,2022-08,good.com,US,USD,1,1\n").encode() + b"P1,2022-08,ba\x00d.com,US,USD,1,1\n"
    path = write_bytes(tmp_path, "m.csv", data)

    message = rejected("import_mrr", path)

    assert f"{path}: line 3, column 14: a NUL byte" in message
    assert not CustomerMRR.objects.exists()


def test_a_utf16_file_is_refused_not_crashed(tmp_path):
    path = write_bytes(tmp_path, "p.csv", japanese_partners().encode("utf-16"))
    message = rejected("import_partners", path)
    assert f"{path}: line 1, column" in message
    assert not Partner.objects.exists()


@pytest.mark.parametrize(("name", "expected"), [("klingon", "unknown encoding 'klingon'"), ("utf-16", "not supported")])
def test_an_unknown_or_unusable_encoding_is_refused(tmp_path, name, expected):
    path = write_bytes(tmp_path, "p.csv", japanese_partners().encode())
    assert expected in rejected("import_partners", path, "--encoding", name)


def test_every_import_command_takes_encoding(tmp_path):
    document = json.dumps(rules_doc(name="ルール2022")).encode("cp932")
    run("import_rules", write_bytes(tmp_path, "r.json", document), "--encoding", "cp932")
    PartnerFactory(partner_id="P1")
    mrr = (MRR_HEADER + "P1,2022-08,トウキョウ.jp,JP,JPY,12000,0\n").encode("cp932")
    run("import_mrr", write_bytes(tmp_path, "m.csv", mrr), "--encoding", "cp932")

    assert RuleSet.objects.get().name == "ルール2022"
    assert CustomerMRR.objects.get().customer_domain == normalise_hostname("トウキョウ.jp")


# --- MRR: months, currencies, domains ------------------------------------------------------------


@pytest.fixture
def mrr_file(tmp_path):
    def make(*lines: str) -> str:
        path = tmp_path / "mrr.csv"
        path.write_text(MRR_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    return make


@time_machine.travel("2022-09-20 12:00Z", tick=False)
def test_impossible_months_are_refused_naming_the_line(mrr_file):
    points_rules(effective_from="2022-01-01")
    PartnerFactory(partner_id="P1")
    path = mrr_file(
        "P1,2022-09,ok.com,US,USD,1,1",  # 2: the current month is fine
        "P1,9999-12,a.com,US,USD,1,1",  # 3
        "P1,2022-10,b.com,US,USD,1,1",  # 4: next month
        "P1,2021-06,c.com,US,USD,1,1",  # 5: before the first rule set
    )

    message = rejected("import_mrr", path)

    assert f"{path}: line 3: month 9999-12 is in the future (the current month is 2022-09)" in message
    assert f"{path}: line 4: month 2022-10 is in the future" in message
    assert f"{path}: line 5: month 2021-06 is before the programme's first rule set ('Points 2022'" not in message
    assert (
        f"{path}: line 5: month 2021-06 is before the programme's first rule set (Points 2022, in force from 2022-01-01)"
        in message
    )
    assert "line 2:" not in message
    assert not CustomerMRR.objects.exists()


def test_mrr_without_any_published_rule_set_is_refused(mrr_file):
    points_rules(draft=True)
    PartnerFactory(partner_id="P1")
    message = rejected("import_mrr", mrr_file("P1,2022-08,a.com,US,USD,1,1"))
    assert "line 2: no published rule set is in force for 2022-08" in message
    assert not CustomerMRR.objects.exists()


def test_a_currency_without_a_coefficient_is_refused_at_import(mrr_file):
    """Today it would be accepted and later block run_monthly for the whole month."""
    points_rules(name="Old", effective_from="2021-01-01", currencies=["USD", "ZAR"])
    points_rules(name="New", effective_from="2022-07-16", currencies=["USD"])
    PartnerFactory(partner_id="P1")
    path = mrr_file(
        "P1,2022-06,a.co.za,ZA,ZAR,100,0",  # 2: judged by Old, which has ZAR
        "P1,2022-08,b.co.za,ZA,ZAR,100,0",  # 3: judged by New, which has not
        "P1,2022-08,c.com,US,usd,100,0",  # 4
    )

    message = rejected("import_mrr", path)

    assert "line 3: no coefficient for ZAR in rule set 'New', in force for 2022-08" in message
    assert "line 2:" not in message and "line 4:" not in message
    assert not CustomerMRR.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "cannot begin with ="),
        ("+acme.com", "cannot begin with +"),
        ("-acme.com", "cannot begin with -"),
        ("@acme.com", "cannot begin with @"),
        ("https://acme.com/x", "bare domain name"),
        ("someone@acme.com", "bare domain name"),
        ("localhost", "not a public domain name"),
        ("10.0.0.1", "IP address"),
        ("acme.invalid", "known public suffix"),
        ("co.jp", "public suffix, not a domain"),
        ("acme corp", "bare domain name"),
    ],
)
def test_customer_domains_must_be_domain_shaped(mrr_file, value, expected):
    points_rules(effective_from="2022-01-01")
    PartnerFactory(partner_id="P1")
    quoted = '"' + value.replace('"', '""') + '"'
    path = mrr_file("P1,2022-08,fine.com,US,USD,1,1", f"P1,2022-08,{quoted},US,USD,1,1")

    message = rejected("import_mrr", path)

    assert f"{path}: line 3: customer_domain {value.strip()!r}: " in message and expected in message
    assert "line 2:" not in message
    assert not CustomerMRR.objects.exists()


def test_customer_domains_are_normalised_and_keep_their_subdomains(mrr_file):
    points_rules(effective_from="2022-01-01")
    PartnerFactory(partner_id="P1")
    run("import_mrr", mrr_file("P1,2022-08,Shop.ACME.co.uk.,GB,USD,1,1", "P1,2022-08,bücher.de,DE,USD,1,1"))
    assert set(CustomerMRR.objects.values_list("customer_domain", flat=True)) == {
        "shop.acme.co.uk",
        "xn--bcher-kva.de",
    }


@pytest.mark.parametrize(
    "value",
    ["acme.com", "a.b.acme.co.jp", "city.kawasaki.jp", "foo.kawasaki.jp", "com", "co.uk", "a.example", "a..com"],
)
def test_the_fast_host_check_agrees_with_the_normaliser(value):
    try:
        expected = normalise_hostname(value) == value
    except Exception:
        expected = False
    assert is_normal_hostname(value) is expected


# --- rule files ------------------------------------------------------------------------------------


def rules_path(tmp_path, text: str) -> str:
    path = tmp_path / "rules.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"emerging_market_multiplier": "0"}, "emerging_market_multiplier must be a decimal string above 0"),
        ({"emerging_market_multiplier": "-1"}, "emerging_market_multiplier must be a decimal string above 0"),
        ({"coefficients": {"USD": {"sales": "0", "managed": "0.01"}}}, "coefficients of USD"),
        ({"coefficients": {"USD": {"sales": "0.03", "managed": "-0.01"}}}, "coefficients of USD"),
        ({"coefficients": {"USD": {"sales": "0.03", "managed": "1e-20"}}}, "rounds to 0"),
        ({"tresholds": {}}, "the rule set: unknown key 'tresholds'"),
        (
            {"coefficients": {"USD": {"sales": "0.03", "managed": "0.01", "sale": "1"}}},
            "coefficients.USD: unknown key 'sale'",
        ),
    ],
)
def test_rule_files_with_impossible_values_or_unknown_keys_are_refused(tmp_path, change, expected):
    document = rules_doc()
    document.update(change)
    path = rules_path(tmp_path, json.dumps(document))

    message = rejected("import_rules", path)

    assert f"{path}: " in message and expected in message
    assert not RuleSet.objects.exists()


def test_a_misspelt_requirement_names_the_tier_and_the_key(tmp_path):
    document = json.loads(json.dumps(rules_doc()))
    document["tiers"]["gold"] = {"points": "100", "min_sales_point": "10"}
    message = rejected("import_rules", rules_path(tmp_path, json.dumps(document)))
    assert "tiers.gold: unknown key 'min_sales_point'" in message
    assert not RuleSet.objects.exists()


def test_duplicate_json_keys_are_refused_naming_the_key_and_where(tmp_path):
    text = json.dumps(rules_doc(), indent=2)
    text = text.replace('"name": "Points 2022",', '"name": "Points 2022",\n  "name": "Other",', 1)
    text = text.replace('"points": "100",', '"points": "100",\n      "points": "1",', 1)

    message = rejected("import_rules", rules_path(tmp_path, text))

    assert "$: key 'name' appears more than once" in message
    assert "tiers.gold: key 'points' appears more than once" in message
    assert not RuleSet.objects.exists()


def test_invalid_json_names_line_and_column(tmp_path):
    path = rules_path(tmp_path, '{\n  "name": "x",\n  oops\n}')
    assert f"{path}: line 3, column 3: not valid JSON" in rejected("import_rules", path)


# --- one published rule set per effective date --------------------------------------------------------


def test_a_second_published_rule_set_with_the_same_date_is_refused(tmp_path):
    points_rules(name="First", effective_from="2022-07-16")
    path = rules_path(tmp_path, json.dumps(rules_doc(name="Second", effective_from="2022-07-16")))

    message = rejected("import_rules", path)

    assert "'First' is already published with the same effective date 2022-07-16" in message
    assert list(RuleSet.objects.values_list("name", flat=True)) == ["First"]
    # As a draft it may wait; publishing it is refused by the service too.
    run("import_rules", path, "--draft")
    draft = RuleSet.objects.get(name="Second")
    with pytest.raises(services.TierError, match="already published with the same effective date"):
        services.rule_set_publish(rule_set=draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_replacing_a_published_rule_set_keeps_its_own_date(tmp_path):
    points_rules(name="First", effective_from="2022-07-16")
    run("import_rules", rules_path(tmp_path, json.dumps(rules_doc(name="First", multiplier="3"))))
    assert RuleSet.objects.get().emerging_market_multiplier == Decimal("3")


def test_the_database_refuses_two_published_rule_sets_from_one_date():
    points_rules(name="First", effective_from="2022-07-16")
    draft = points_rules(name="Second", effective_from="2022-07-16", draft=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.filter(pk=draft.pk).update(status="published")


# --- Japanese messages ----------------------------------------------------------------------------------


def test_refusals_read_in_japanese(mrr_file):
    points_rules(effective_from="2022-01-01")
    PartnerFactory(partner_id="P1")
    path = mrr_file("P1,2022-08,=1+1,US,USD,1,1", "P1,9999-12,a.com,US,USD,1,1")
    with translation.override("ja"):
        message = rejected("import_mrr", path)
    assert "取り込みを拒否しました" in message
    assert "9999-12" in message and "未来" in message
    assert "数式" in message


def test_admin_forms_refuse_zero_coefficients_multipliers_and_a_second_rule_set_on_one_date():
    from django.core.exceptions import ValidationError

    rule_set = points_rules(name="First", effective_from="2022-07-16")
    coefficient = rule_set.coefficients.get(currency="USD")
    coefficient.sales = Decimal("0")
    with pytest.raises(ValidationError) as error:
        coefficient.full_clean()
    assert "sales" in error.value.message_dict
    rule_set.emerging_market_multiplier = Decimal("0")
    with pytest.raises(ValidationError) as error:
        rule_set.full_clean()
    assert "emerging_market_multiplier" in error.value.message_dict
    second = points_rules(name="Second", effective_from="2022-07-16", draft=True)
    second.status = "published"
    with pytest.raises(ValidationError, match="already takes effect on this date"):
        second.full_clean()


def test_publishing_a_rule_set_without_a_coefficient_for_imported_mrr_is_refused(tmp_path):
    """The same kind as an MRR currency without a coefficient: it would block run_monthly later."""
    from tiers.tests.factories import mrr

    points_rules(name="Old", effective_from="2022-01-01", currencies=["USD", "ZAR"])
    partner = PartnerFactory(partner_id="P1")
    mrr(partner, "2022-06", currency="ZAR", customer_country="ZA", sold="10")  # judged by Old either way
    mrr(partner, "2022-08", currency="ZAR", customer_country="ZA", sold="10")
    path = rules_path(tmp_path, json.dumps(rules_doc(name="New", effective_from="2022-07-16", currencies=["USD"])))

    message = rejected("import_rules", path)

    assert "MRR of 2022-08 is in ZAR, which the rule set has no coefficient for" in message
    assert "2022-06" not in message
    assert list(RuleSet.objects.values_list("name", flat=True)) == ["Old"]
    run("import_rules", path, "--draft")
    with pytest.raises(services.TierError, match="MRR of 2022-08 is in ZAR"):
        services.rule_set_publish(rule_set=RuleSet.objects.get(name="New"))
    assert RuleSet.objects.get(name="New").status == "draft"
