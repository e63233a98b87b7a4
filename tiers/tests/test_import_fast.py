"""The MRR import's fast path (issue 15): a clean file is written set-based, without the row-by-row checks;
anything the fast path cannot vouch for is checked row by row, with the same messages as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import PartnerFactory
from tiers import importers, services
from tiers.importers import mrr
from tiers.models import CustomerMRR, MonthCompleteness
from tiers.tests.commands import rejected, run
from tiers.tests.factories import points_rules

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the fast path is PostgreSQL's"),
]

HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"


@pytest.fixture
def mrr_file(tmp_path):
    def make(*lines: str, newline: str = "\n") -> str:
        path = tmp_path / "mrr.csv"
        path.write_bytes((HEADER + newline.join(lines) + newline).encode())
        return str(path)

    return make


@pytest.fixture
def programme():
    points_rules(effective_from="2022-01-01", currencies=["USD", "EUR", "JPY"])
    return {pid: PartnerFactory(partner_id=pid) for pid in ("P1", "P2")}


@pytest.fixture
def row_checks(monkeypatch):
    """Counts the files that went the row-by-row way."""
    calls = []
    original = importers.mrr_load

    def counted(lines, **kwargs):
        calls.append(1)
        return original(lines, **kwargs)

    monkeypatch.setattr(importers, "mrr_load", counted)
    return calls


def stored() -> set[tuple]:
    return set(
        CustomerMRR.objects.values_list(
            "partner__partner_id", "month", "customer_domain", "customer_country", "currency", "sold_mrr", "managed_mrr"
        )
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_clean_file_is_written_without_the_row_by_row_checks(mrr_file, programme, row_checks, newline):
    path = mrr_file(
        "P1,2022-08,acme.com,US,USD,1200.50,0",
        "P1,2022-08,shop.acme.co.uk,GB,EUR,0,99999999999999.99",
        "P2,2022-07,tokyo-agency.co.jp,JP,JPY,120000,7",
        newline=newline,
    )

    assert "MRR imported: 3 rows." in run("import_mrr", path, "--complete")

    assert row_checks == []
    assert stored() == {
        ("P1", dt.date(2022, 8, 1), "acme.com", "US", "USD", Decimal("1200.50"), Decimal("0")),
        ("P1", dt.date(2022, 8, 1), "shop.acme.co.uk", "GB", "EUR", Decimal("0"), Decimal("99999999999999.99")),
        ("P2", dt.date(2022, 7, 1), "tokyo-agency.co.jp", "JP", "JPY", Decimal("120000"), Decimal("7")),
    }
    assert set(MonthCompleteness.objects.filter(complete=True).values_list("month", flat=True)) == {
        dt.date(2022, 7, 1),
        dt.date(2022, 8, 1),
    }


def test_a_clean_file_replaces_the_rows_of_its_keys(mrr_file, programme, row_checks):
    run("import_mrr", mrr_file("P1,2022-08,acme.com,US,USD,1,1", "P1,2022-08,other.com,US,USD,2,2"))
    run("import_mrr", mrr_file("P1,2022-08,acme.com,US,USD,5,6"))

    assert row_checks == []
    assert sorted(CustomerMRR.objects.values_list("customer_domain", "sold_mrr", "managed_mrr")) == [
        ("acme.com", Decimal("5.00"), Decimal("6.00")),
        ("other.com", Decimal("2.00"), Decimal("2.00")),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("P9,2022-08,b.com,US,USD,1,1", "line 3: unknown partner 'P9'"),
        ("P1,2022-08,co.jp,US,USD,1,1", "line 3: customer_domain 'co.jp': "),
        ("P1,2022-08,foo.kawasaki.jp,JP,USD,1,1", "line 3: customer_domain 'foo.kawasaki.jp': "),
        ("P1,2022-08,acme.invalid,US,USD,1,1", "line 3: customer_domain 'acme.invalid': "),
        ("P1,2022-08,localhost,US,USD,1,1", "line 3: customer_domain 'localhost': "),
        ("P1,2022-08,a..com,US,USD,1,1", "line 3: customer_domain 'a..com': "),
        ("P1,2022-08,10.0.0.1,US,USD,1,1", "line 3: customer_domain '10.0.0.1': "),
        ("P1,2022-08,b.com,XX,USD,1,1", "line 3: unknown country code 'XX'"),
        ("P1,2022-08,b.com,US,GBP,1,1", "line 3: no coefficient for GBP in rule set"),
        ("P1,2022-13,b.com,US,USD,1,1", "line 3: bad month '2022-13'"),
        ("P1,2022-08,b.com,US,USD,1.234,1", "line 3: sold_mrr '1.234' is non-numeric"),
        ("P1,2022-08,b.com,US,USD,1,-5", "line 3: managed_mrr '-5' is negative"),
        ("P1,2022-08,b.com,US,USD,123456789012345,1", "line 3: sold_mrr '123456789012345' is non-numeric"),
        ("P1,2022-08,b.com,US,USD,1", "line 3: expected 7 columns, got 6"),
        (
            "P1,2022-08,acme.com,US,USD,3,3",
            "line 3: the same partner, month and customer_domain (acme.com) appears on lines 2, 3",
        ),
    ],
)
def test_rows_the_fast_path_cannot_vouch_for_are_refused_as_before(mrr_file, programme, line, expected):
    path = mrr_file("P1,2022-08,acme.com,US,USD,1,1", line)

    message = rejected("import_mrr", path)

    assert f"{path}: {expected}" in message
    assert "line 2:" not in message or "appears on lines" in expected
    assert not CustomerMRR.objects.exists()


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("P1,2022-08,Shop.ACME.com.,us,usd, 7 ,8", ("shop.acme.com", "US", "USD", Decimal("7"))),
        ('"P1","2022-08","quoted.com","US","USD","7","8"', ("quoted.com", "US", "USD", Decimal("7"))),
        ("P1,2022-08,city.kawasaki.jp,JP,USD,7,8", ("city.kawasaki.jp", "JP", "USD", Decimal("7"))),
    ],
)
def test_rows_needing_normalising_are_imported_row_by_row(mrr_file, programme, row_checks, line, kept):
    run("import_mrr", mrr_file("P1,2022-08,acme.com,US,USD,1,1", line))

    assert row_checks == [1]
    assert kept in set(CustomerMRR.objects.values_list("customer_domain", "customer_country", "currency", "sold_mrr"))
    assert CustomerMRR.objects.count() == 2


def test_lines_given_as_a_list_import_the_fast_way(programme, row_checks):
    lines = [HEADER.strip(), "P1,2022-08,acme.com,US,USD,1,1", "P2,2022-08,acme.com,US,USD,2,2"]

    assert services.mrr_import(lines=lines) == 2

    assert row_checks == []
    assert CustomerMRR.objects.count() == 2


def test_a_large_import_leaves_the_mrr_table_analysed(mrr_file, programme, monkeypatch):
    monkeypatch.setattr(mrr, "ANALYZE_ROWS", 2)
    table = CustomerMRR._meta.db_table

    run("import_mrr", mrr_file("P1,2022-08,acme.com,US,USD,1,1", "P2,2022-08,acme.com,US,USD,2,2"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        assert cursor.fetchone()[0] == 2  # -1 until the table is first analysed


def test_a_blank_line_is_skipped_as_before(mrr_file, programme):
    run("import_mrr", mrr_file("P1,2022-08,acme.com,US,USD,1,1", "", "P2,2022-08,acme.com,US,USD,2,2"))

    assert sorted(CustomerMRR.objects.values_list("partner__partner_id", "sold_mrr")) == [
        ("P1", Decimal("1.00")),
        ("P2", Decimal("2.00")),
    ]


@pytest.fixture
def small_blocks(monkeypatch):
    """Read files 64 bytes at a time, so that lines fall across many blocks."""
    from tiers.importers import files

    monkeypatch.setattr(files, "CHUNK_BYTES", 64)


def test_a_file_read_in_many_blocks_imports_every_line_once(tmp_path, programme, row_checks, small_blocks):
    lines = [f"P{1 + i % 2},2022-08,customer-{i}.example.com,US,USD,{i},1" for i in range(50)]
    path = tmp_path / "mrr.csv"
    path.write_bytes((HEADER + "\n".join(lines)).encode())  # the last line without its line ending

    assert "MRR imported: 50 rows." in run("import_mrr", str(path))

    assert row_checks == []
    assert sorted(CustomerMRR.objects.values_list("sold_mrr", flat=True)) == [Decimal(i) for i in range(50)]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (b"ba\x00d.com", "line 40, column 14: a NUL byte"),
        (b"ba\xffd.com", "line 40, column 14: bytes 0xFF cannot be read as utf-8"),
    ],
)
def test_bad_bytes_in_a_later_block_name_their_line_and_column(tmp_path, programme, small_blocks, bad, expected):
    good = "".join(f"P1,2022-08,customer-{i}.example.com,US,USD,1,1\n" for i in range(38)).encode()
    path = tmp_path / "mrr.csv"
    path.write_bytes(HEADER.encode() + good + b"P1,2022-08," + bad + b",US,USD,1,1\n")

    message = rejected("import_mrr", str(path), "--encoding", "utf-8")

    assert f"{path}: {expected}" in message
    assert not CustomerMRR.objects.exists()
