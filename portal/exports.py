"""Helpers every CSV/Excel export uses, so a cell never runs as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

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
