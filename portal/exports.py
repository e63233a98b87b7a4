"""Helpers every CSV/Excel export uses, so a cell never runs as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, as a cell that hides one after it).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number ("-12.50") is data, not a formula: it stays a number in the sheet.
PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    Numbers (int, Decimal, float, or text that is only a signed number) pass unchanged, so
    a negative amount stays a number; only text is neutralised (OWASP "CSV injection").
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV lines (for a StreamingHttpResponse), every cell passed through `spreadsheet_safe`."""
    writer = csv.writer(_Echo())
    yield writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


# --- one export helper for every list: CSV (streamed) or Excel (openpyxl, write-only) ----------------

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
# For export URLs: `re_path(rf"^book\.(?P<fmt>{FORMAT_PATTERN})$", …)`.
FORMAT_PATTERN = "csv|xlsx"

TEXT = "text"
NUMBER = "number"
MONEY = "money"
DATE = "date"
DATETIME = "datetime"

_XLSX_FORMATS = {MONEY: "#,##0.00###", NUMBER: "General", DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of an export: its (translatable) header, how to read a row, and its type.

    `kind` types the Excel cell (numbers and money stay numbers, dates stay dates); in CSV a
    number is written plainly (`1556.00`, never `£1,556.00`) and a date as ISO 8601.
    """

    header: str
    value: Callable[[Any], object]
    kind: str = TEXT


def dated(name: str, *, today: dt.date | None = None) -> str:
    """A file name stem naming the list and the day it was taken: `cam-book-2026-11-28`."""
    return f"{name}-{(today or timezone.localdate()):%Y-%m-%d}"


def _plain(value: object, kind: str) -> object:
    """A cell value for either format: localised text evaluated now, local naive times."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return value if kind in (DATETIME, DATE) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, int, float, Decimal)):
        return value
    return str(value)  # lazy translations, Country objects, choices labels


def _csv_cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv_response(rows: Iterable[Any], columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    language = get_language()
    headers = [str(column.header) for column in columns]

    def lines() -> Iterator[str]:
        # The body is written after the view returns: keep the reader's language for the cells.
        with translation.override(language):
            cells = ([_csv_cell(_plain(c.value(row), c.kind)) for c in columns] for row in rows)
            yield from csv_lines(headers, cells)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_cell(sheet, value: object, kind: str) -> object:
    value = _plain(value, kind)
    if isinstance(value, str):
        # openpyxl writes a text starting with "=" as a formula, and refuses control characters.
        return ILLEGAL_CHARACTERS_RE.sub("", str(spreadsheet_safe(value)))
    if isinstance(value, (dt.date, int, float, Decimal)) and kind in _XLSX_FORMATS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _XLSX_FORMATS[DATE if type(value) is dt.date else kind]
        return cell
    return value


def _xlsx_response(rows: Iterable[Any], columns: Sequence[Column], filename: str) -> FileResponse:
    """A write-only workbook (rows go straight to a spooled file, memory stays flat), then streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=filename[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, column.value(row), column.kind) for column in columns])
    body = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(body)
    body.seek(0)
    return FileResponse(body, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)


def export(
    *, rows: Iterable[Any], columns: Sequence[Column], format: str, filename: str
) -> StreamingHttpResponse | FileResponse:
    """The response for one list exported as `format` ("csv" or "xlsx"), every cell formula-safe.

    `rows` is what the page lists (same scoped selector, same filters and order; pass
    `queryset.iterator(chunk_size=…)` for long lists); `filename` is the stem without extension.
    """
    if format == CSV:
        return _csv_response(rows, columns, filename)
    if format == XLSX:
        return _xlsx_response(rows, columns, filename)
    raise Http404


def admin_export_actions(*, columns: Sequence[Column], name: str) -> list[Callable]:
    """Admin changelist actions "Export CSV" and "Export Excel" for `columns`.

    The selected rows (or, with "select all", every row the changelist's filters and search
    leave) are exported in the changelist's order; the admin's view permission guards them.
    """
    from django.contrib import admin  # admin is imported only where actions are built

    def make(fmt: str, label: str) -> Callable:
        @admin.action(description=label, permissions=["view"])
        def action(modeladmin, request, queryset):
            return export(rows=queryset.iterator(chunk_size=500), columns=columns, format=fmt, filename=dated(name))

        action.__name__ = f"export_{fmt}"
        return action

    return [make(CSV, gettext_lazy("Export CSV")), make(XLSX, gettext_lazy("Export Excel"))]
