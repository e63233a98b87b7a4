"""The partners CSV (`import_partners`): parsing and validation, every bad line listed."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from portal.models import PartnerKind, Tier
from tiers.importers.files import (
    COUNTRY_CODES,
    ImportRejected,
    check_header,
    columns_problem,
    line_problem,
    unknown_country,
)

PARTNER_HEADER = ["partner_id", "name", "kind", "country", "joined_on"]


@dataclass(frozen=True)
class PartnerRow:
    partner_id: str
    name: str
    kind: str
    country: str
    joined_on: dt.date
    tier: str | None  # None: column absent or empty


def partner_rows(lines: Iterable[str]) -> list[PartnerRow]:
    """Parse an import_partners CSV; ImportRejected lists every bad line."""
    reader = csv.reader(lines)
    header = check_header(reader, PARTNER_HEADER, optional=["tier"])
    has_tier = len(header) == 6
    rows: list[PartnerRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(line_problem(line, columns_problem(len(header), len(values))))
            continue
        row, problems = _partner_row(values, has_tier)
        if row is not None and row.partner_id in seen:
            problems.append(
                _("partner_id %(id)r also on line %(line)s") % {"id": row.partner_id, "line": seen[row.partner_id]}
            )
        errors += [line_problem(line, problem) for problem in problems]
        if row is not None and not problems:
            seen[row.partner_id] = line
            rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def _partner_row(values: list[str], has_tier: bool) -> tuple[PartnerRow | None, list[str]]:
    partner_id, name, kind, country, joined = (v.strip() for v in values[:5])
    tier = values[5].strip() if has_tier else ""
    problems = []
    if not partner_id or len(partner_id) > 32:
        problems.append(_("partner_id must be 1–32 characters"))
    if not name or len(name) > 200:
        problems.append(_("name must be 1–200 characters"))
    if kind not in PartnerKind.values:
        problems.append(_("kind must be solutions_partner or provider, got %(value)r") % {"value": kind})
    if country.upper() not in COUNTRY_CODES:
        problems.append(unknown_country(country))
    try:
        joined_on = dt.date.fromisoformat(joined) if len(joined) == 10 else None
    except ValueError:
        joined_on = None
    if joined_on is None:
        problems.append(_("joined_on must be YYYY-MM-DD, got %(value)r") % {"value": joined})
    if tier and tier not in Tier.values:
        problems.append(
            _("tier must be one of %(tiers)s, got %(value)r") % {"tiers": ",".join(Tier.values), "value": tier}
        )
    if problems:
        return None, problems
    return PartnerRow(partner_id, name, kind, country.upper(), joined_on, tier or None), []
