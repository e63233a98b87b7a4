"""Open an export response as a person would: CSV with the csv module, Excel with openpyxl."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def export_rows(response) -> list[list[object]]:
    """The header and the rows of an export (CSV cells as text, Excel cells as typed values)."""
    assert response.status_code == 200
    content = body(response)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def column(rows: list[list[object]], header: str) -> list[object]:
    """The values of one column (by its header) in the rows after the header."""
    index = [str(h) for h in rows[0]].index(header)
    return [row[index] for row in rows[1:]]
