"""The one export helper: typed Excel cells, formula-safe text in both formats, local times, the file name."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import translation
from openpyxl import load_workbook

from portal import exports
from portal.exports import Column
from tests.export_files import body, export_rows

COLUMNS = (
    Column("Name", lambda r: r["name"]),
    Column("Amount", lambda r: r["amount"], exports.MONEY),
    Column("On", lambda r: r["on"], exports.DATE),
    Column("At", lambda r: r["at"], exports.DATETIME),
    Column("Active", lambda r: r["active"]),
)
ROW = {
    "name": '=HYPERLINK("http://x")\x07',
    "amount": Decimal("-1556.50"),
    "on": dt.date(2026, 11, 28),
    "at": dt.datetime(2026, 11, 28, 0, 30, tzinfo=dt.UTC),  # 09:30 in Tokyo (TIME_ZONE)
    "active": True,
}


def _xlsx(rows, columns=COLUMNS):
    response = exports.export(rows=rows, columns=columns, format="xlsx", filename="things-2026-11-28")
    return response, load_workbook(io.BytesIO(body(response))).worksheets[0]


def test_excel_keeps_formula_text_as_text_and_types_money_and_dates(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    response, sheet = _xlsx([ROW])
    name, amount, on, at, active = sheet[2]
    assert name.data_type == "s" and name.value == '\'=HYPERLINK("http://x")'  # no formula, no control character
    assert amount.data_type == "n" and amount.value == -1556.5
    assert on.is_date and on.value.date() == dt.date(2026, 11, 28)
    assert at.is_date and at.value.timetuple()[:5] == (2026, 11, 28, 9, 30)  # Excel has no time zones: local
    assert active.value == "yes"
    assert [c.font.b for c in sheet[1]] == [True] * 5
    assert 'filename="things-2026-11-28.xlsx"' in response["Content-Disposition"]


def test_csv_writes_plain_numbers_iso_dates_and_neutralised_text(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    response = exports.export(rows=[ROW], columns=COLUMNS, format="csv", filename="things")
    rows = export_rows(response)
    assert rows == [
        ["Name", "Amount", "On", "At", "Active"],
        ['\'=HYPERLINK("http://x")\x07', "-1556.50", "2026-11-28", "2026-11-28 09:30", "yes"],
    ]


def test_csv_cells_keep_the_language_of_the_request_while_streaming():
    with translation.override("ja"):
        response = exports.export(rows=[ROW], columns=COLUMNS, format="csv", filename="things")
    with translation.override("en"):
        rows = export_rows(response)  # the body is written later, under another active language
    assert rows[1][-1] == "はい"


def test_an_unknown_format_is_a_404():
    with pytest.raises(Http404):
        exports.export(rows=[], columns=COLUMNS, format="pdf", filename="things")


def test_a_long_list_streams_row_by_row():
    many = ({**ROW, "name": f"row {i}"} for i in range(5000))
    response = exports.export(rows=many, columns=COLUMNS, format="csv", filename="things")
    assert response.streaming
    _response, sheet = _xlsx({**ROW, "name": f"row {i}"} for i in range(5000))
    assert sheet.max_row == 5001
