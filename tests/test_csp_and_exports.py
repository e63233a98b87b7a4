"""The Content-Security-Policy header and templates that keep to it; spreadsheet-safe exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.exports import csv_lines, spreadsheet_safe

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_every_page_carries_the_strict_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def _templates() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.html")
        if not {".venv", "staticfiles", "node_modules"} & set(path.parts) and "site-packages" not in path.parts
    ]


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (r"\sstyle\s*=", "a style attribute"),
        (r"<style[\s>]", "a <style> element"),
        (r"\son[a-z]+\s*=", "an inline event handler"),
        (r"\shx-on[:\-\w]*\s*=", "an hx-on handler (needs eval)"),
        (r"<script(?![^>]*\ssrc=)[^>]*>", "an inline <script>"),
        (r"javascript:", "a javascript: URL"),
    ],
)
def test_no_template_has_inline_script_or_style(pattern, what):
    assert len(_templates()) > 20
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in _templates()
        for text in [path.read_text(encoding="utf-8")]
        for m in re.finditer(pattern, text, flags=re.IGNORECASE)
    ]
    assert not offenders, f"{what} breaks the Content-Security-Policy: {offenders}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("example.com", "example.com"),
        ("-12.50", "-12.50"),
        (Decimal("-3"), Decimal("-3")),
        (7, 7),
        ("", ""),
    ],
)
def test_spreadsheet_safe_neutralises_formulas_only(value, expected):
    assert spreadsheet_safe(value) == expected


def test_csv_lines_neutralise_every_cell_header_included():
    text = "".join(csv_lines(["=Header"], [["=1+2", "ok"], [Decimal("-1.5"), "@x"]]))
    assert list(csv.reader(io.StringIO(text))) == [["'=Header"], ["'=1+2", "ok"], ["-1.5", "'@x"]]


@pytest.mark.django_db
def test_the_breakdown_csv_writes_a_formula_domain_as_text(client_for, partner_member):
    import time_machine

    from tiers.tests.dashboard_factories import mrr_make, rule_set_make, snapshot_make

    with time_machine.travel(dt.datetime(2025, 11, 20, 9, tzinfo=dt.UTC), tick=False):
        month = dt.date(2025, 10, 1)
        rule_set = rule_set_make()
        snapshot_make(
            partner=partner_member.partner,
            month=month,
            rule_set=rule_set,
            sales=Decimal(1),
            managed=Decimal(1),
            tier="gold",
        )
        mrr_make(partner=partner_member.partner, month=month, domain='=HYPERLINK("http://x")', sold=100)
        mrr_make(partner=partner_member.partner, month=month, domain="+evil.example", sold=50)
        response = client_for(partner_member).get(reverse("tiers:breakdown-csv"), {"month": "2025-10-01"})
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    domains = sorted(row[0] for row in rows[1:])
    assert domains == ["'+evil.example", '\'=HYPERLINK("http://x")']
