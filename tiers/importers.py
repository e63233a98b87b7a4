"""Parsing and validation of the operations files (partners CSV, rule set JSON, MRR CSV).

Validation collects *every* problem with its line number before anything is
written; the services in `tiers.services` decide and write. The MRR loader
streams: rows go, validated, into a temporary table (COPY on PostgreSQL,
batched inserts on SQLite), duplicates are found there in SQL, and one
set-based statement moves them into place (PostgreSQL: delete the replaced
keys, one plain INSERT; SQLite: `INSERT … ON CONFLICT DO UPDATE`) — memory
does not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import charset_normalizer
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from portal.domains import InvalidDomain, is_normal_hostname, normalise_hostname
from portal.errors import PortalError
from portal.models import Partner, PartnerKind, Region, Tier
from portal.months import month_end, month_start, parse_month
from tiers.models import CustomerMRR, Framework, Metric, RuleSet, RuleSetStatus

COUNTRY_CODES = frozenset(code for code, _name in countries)

# ISO 4217 active currency codes (fixed list: rule sets and MRR files are checked against it).
CURRENCY_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
    GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF
    XPF YER ZAR ZMW ZWL
    """.split()  # noqa: SIM905
)

LATIN_AMERICA = frozenset(
    "AR BO BR CL CO CR CU DO EC SV GT HT HN MX NI PA PY PE PR UY VE".split()  # noqa: SIM905 (matches migration 0003)
)
NORTH_AMERICA = frozenset({"US", "CA", "BM", "GL", "PM"})
APAC = frozenset(
    """
    AU NZ SG IN MY PH KR CN HK TW TH VN ID MN BD BN KH LA MV MM NP PK LK TL MO FJ PG WS TO VU SB KI NR TV
    FM MH PW NC PF CK NU AS GU MP BT AF
    """.split()  # noqa: SIM905
)


def region_for_country(code: str) -> str:
    """The PAC region of an HQ country (Japan has its own region)."""
    if code == "JP":
        return Region.JAPAN
    if code in NORTH_AMERICA:
        return Region.NORTH_AMERICA
    if code in LATIN_AMERICA:
        return Region.LATIN_AMERICA
    if code in APAC:
        return Region.APAC
    return Region.EMEA


class ImportRejected(PortalError):
    """An input file was rejected as a whole; `errors` lists every problem (with line numbers)."""

    code = "import_rejected"

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors), extra={"errors": errors})


# --- reading files -------------------------------------------------------------

# Without --encoding a file is UTF-8 (with or without BOM); otherwise these are
# detected (charset-normalizer): what Excel in Japan saves, and older Unix tools.
# Nothing else is guessed: a Western single-byte guess would turn a damaged UTF-8
# file into mojibake, so such files need --encoding (e.g. cp1252).
DETECTED_ENCODINGS = ("cp932", "euc_jp")
SAMPLE_BYTES = 1 << 20
CHUNK_BYTES = 1 << 20


def encoding_check(name: str) -> str:
    """The codec's canonical name; ImportRejected for an unknown or line-unsafe encoding."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise ImportRejected([_("unknown encoding %(name)r") % {"name": name}]) from None
    if codec.name in {"utf-8", "utf-8-sig"}:
        return "utf-8-sig"  # a byte-order mark is dropped either way
    if "\n".encode(codec.name) != b"\n" or "a".encode(codec.name) != b"a":
        raise ImportRejected(
            [_("encoding %(name)s is not supported: save the file as UTF-8 or CP932") % {"name": codec.name}]
        )
    return codec.name


def _bytes_shown(data: bytes) -> str:
    return " ".join(f"0x{byte:02X}" for byte in data[:4])


def _utf8_problem(path: Path) -> tuple[int, int, bytes, int] | None:
    """None when the file is UTF-8; else (line, column, bad bytes, byte offset of that line)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return None
    except UnicodeDecodeError:
        pass
    offset = 0
    with path.open("rb") as file:  # the rare path: find the line
        for number, raw in enumerate(file, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = len(raw[: exc.start].decode("utf-8", errors="replace")) + 1
                return number, column, raw[exc.start : exc.end], offset
            offset += len(raw)
    return None  # only a sequence cut at the very end; the strict read reports it


def _detected(path: Path, bad_line_offset: int) -> str | None:
    """CP932 or EUC-JP when charset-normalizer recognises the file (beginning and first non-UTF-8 line)."""
    with path.open("rb") as file:
        head = file.read(SAMPLE_BYTES)
        file.seek(bad_line_offset)
        around = file.read(SAMPLE_BYTES // 16)
    sample = head[: head.rfind(b"\n") + 1] or head
    if bad_line_offset >= len(sample):
        sample += around[: around.rfind(b"\n") + 1] or around
    best = charset_normalizer.from_bytes(sample, cp_isolation=list(DETECTED_ENCODINGS)).best()
    return codecs.lookup(best.encoding).name if best is not None else None


def encoding_for(path: Path, encoding: str | None) -> str:
    """The encoding to read `path` with: the one named, else UTF-8, else a detected Japanese one."""
    if encoding:
        return encoding_check(encoding)
    problem = _utf8_problem(path)
    if problem is None:
        return "utf-8-sig"
    detected = _detected(path, problem[3])
    if detected is not None:
        return detected
    line, column, bad, _offset = problem
    raise ImportRejected(
        [
            _(
                "line %(line)s, column %(column)s: bytes %(bytes)s are not UTF-8, and the file is not "
                "recognisably Japanese (CP932/Shift-JIS or EUC-JP); name its encoding with --encoding, "
                "e.g. --encoding cp1252"
            )
            % {"line": line, "column": column, "bytes": _bytes_shown(bad)}
        ]
    )


class TextFile:
    """A file's lines decoded strictly as `encoding`; a NUL byte or undecodable bytes reject it naming
    the line and column (1-based, in characters). Lines keep their line endings (csv's newline='')."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path, self.encoding = path, encoding
        self._file = None

    def __enter__(self) -> TextFile:
        self._file = self.path.open("rb")
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def __iter__(self) -> Iterator[str]:
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        for number, raw in enumerate(self._file, start=1):
            if b"\x00" in raw:
                self._reject_nul(number, raw, encoding)
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                column = len(raw[: exc.start].decode(encoding, errors="replace")) + 1
                raise ImportRejected(
                    [
                        _(
                            "line %(line)s, column %(column)s: bytes %(bytes)s cannot be read as %(encoding)s; "
                            "save the file as UTF-8 or name its encoding with --encoding"
                        )
                        % {
                            "line": number,
                            "column": column,
                            "bytes": _bytes_shown(raw[exc.start : exc.end]),
                            "encoding": encoding,
                        }
                    ]
                ) from None
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield text

    @staticmethod
    def _reject_nul(number: int, raw: bytes, encoding: str) -> None:
        column = len(raw[: raw.index(b"\x00")].decode(encoding, errors="replace")) + 1
        raise ImportRejected(
            [
                _(
                    "line %(line)s, column %(column)s: a NUL byte is not allowed in a text file (a UTF-16 or binary file?)"
                )
                % {"line": number, "column": column}
            ]
        )

    def read(self) -> str:
        return "".join(self)


def line_problem(line: int, problem: str) -> str:
    return _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}


def _columns(expected: int, got: int) -> str:
    return _("expected %(expected)s columns, got %(got)s") % {"expected": expected, "got": got}


def _unknown_country(value: str) -> str:
    return _("unknown country code %(value)r") % {"value": value}


def _unknown_currency(value: str) -> str:
    return _("unknown currency code %(value)r") % {"value": value}


def _decimal(value: object) -> Decimal | None:
    """A finite Decimal from a decimal string (or JSON number parsed as Decimal/int); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _check_header(reader: Iterator[list[str]], expected: list[str], optional: Iterable[str] = ()) -> list[str]:
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise ImportRejected(
            [_("line 1: the file is empty; expected header %(header)s") % {"header": ",".join(expected)}]
        ) from None
    allowed = [expected, expected + list(optional)]
    if header not in allowed:
        raise ImportRejected(
            [
                _("line 1: expected header %(expected)s, got %(got)s")
                % {"expected": ",".join(expected), "got": ",".join(header)}
            ]
        )
    return header


# --- partners ----------------------------------------------------------------

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
    header = _check_header(reader, PARTNER_HEADER, optional=["tier"])
    has_tier = len(header) == 6
    rows: list[PartnerRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(line_problem(line, _columns(len(header), len(values))))
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
        problems.append(_unknown_country(country))
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


# --- rule sets ---------------------------------------------------------------

FRAMEWORK_METRICS = {
    Framework.POINTS: [Metric.POINTS, Metric.MIN_SALES_POINTS],
    Framework.LEGACY: [Metric.SOLD_MRR, Metric.MANAGED_MRR],
}
# Minimums may stay level from one tier to the next; targets must rise.
NON_DECREASING_METRICS = frozenset({Metric.MIN_SALES_POINTS})
THRESHOLD_LIMIT = Decimal("1e14")
COEFFICIENT_PLACES = Decimal("1e-12")
THRESHOLD_PLACES = Decimal("1e-4")


@dataclass
class RuleSetSpec:
    name: str
    framework: str
    effective_from: dt.date
    multiplier: Decimal
    coefficients: dict[str, tuple[Decimal, Decimal]]
    requirements: dict[str, dict[str, Decimal]] = field(default_factory=dict)


RULE_SET_KEYS = ("name", "framework", "effective_from", "emerging_market_multiplier", "coefficients", "tiers")
COEFFICIENT_KEYS = ("sales", "managed")


class _JsonObject(dict):
    """A JSON object that remembers keys given more than once (json keeps only the last)."""

    duplicates: list[str]


def _json_object(pairs: list[tuple[str, object]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    seen: set[str] = set()
    obj.duplicates = [key for key, _value in pairs if key in seen or seen.add(key)]
    return obj


def _json_duplicates(value: object, where: str) -> Iterator[str]:
    if isinstance(value, _JsonObject):
        for key in value.duplicates:
            yield _("%(where)s: key %(key)r appears more than once") % {"where": where, "key": key}
        for key, item in value.items():
            yield from _json_duplicates(item, f"{where}.{key}" if where != "$" else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_duplicates(item, f"{where}[{index}]")


def rule_set_document(text: str) -> object:
    """Parse a rule set JSON file: numbers as exact Decimals; invalid JSON or a key given twice → ImportRejected."""
    try:
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [
                _("line %(line)s, column %(column)s: not valid JSON: %(problem)s")
                % {"line": exc.lineno, "column": exc.colno, "problem": exc.msg}
            ]
        ) from None
    duplicates = list(_json_duplicates(data, "$"))
    if duplicates:
        raise ImportRejected(duplicates)
    return data


def _unknown_keys(raw: dict, allowed: Iterable[str], where: str) -> list[str]:
    return [
        _("%(where)s: unknown key %(key)r (expected %(allowed)s)")
        % {"where": where, "key": key, "allowed": ", ".join(allowed)}
        for key in raw
        if key not in allowed
    ]


def rule_set_spec(data: object) -> RuleSetSpec:
    """Validate an import_rules JSON document; ImportRejected lists every problem."""
    if not isinstance(data, dict):
        raise ImportRejected([_("the rule set must be a JSON object")])
    errors: list[str] = _unknown_keys(data, RULE_SET_KEYS, _("the rule set"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 120:
        errors.append(_("name must be a non-empty string of at most 120 characters"))
    framework = data.get("framework")
    if framework not in Framework.values:
        errors.append(_("unknown framework %(value)r (expected legacy or points)") % {"value": framework})
    effective_from = None
    try:
        effective_from = dt.date.fromisoformat(str(data.get("effective_from")))
    except ValueError:
        errors.append(_("effective_from must be YYYY-MM-DD, got %(value)r") % {"value": data.get("effective_from")})
    multiplier = _decimal(data.get("emerging_market_multiplier"))
    if multiplier is None or multiplier <= 0 or multiplier >= 1000:
        errors.append(
            _("emerging_market_multiplier must be a decimal string above 0 and below 1000, got %(value)r")
            % {"value": data.get("emerging_market_multiplier")}
        )
    coefficients = _coefficients(data.get("coefficients"), errors)
    requirements = _requirements(data.get("tiers"), framework, errors) if framework in Framework.values else {}
    if errors:
        raise ImportRejected(errors)
    return RuleSetSpec(name.strip(), framework, effective_from, multiplier, coefficients, requirements)


def _coefficients(raw: object, errors: list[str]) -> dict[str, tuple[Decimal, Decimal]]:
    if not isinstance(raw, dict) or not raw:
        errors.append(_("coefficients must be an object of currency → {sales, managed}"))
        return {}
    result = {}
    for currency, pair in raw.items():
        if currency not in CURRENCY_CODES:
            errors.append(_unknown_currency(currency))
            continue
        if isinstance(pair, dict):
            errors += _unknown_keys(pair, COEFFICIENT_KEYS, f"coefficients.{currency}")
        values = [_decimal(pair.get(key)) if isinstance(pair, dict) else None for key in COEFFICIENT_KEYS]
        if any(v is None or v <= 0 or v >= 10**8 for v in values):
            errors.append(
                _("coefficients of %(currency)s: sales and managed must be decimal strings above 0")
                % {"currency": currency}
            )
            continue
        sales, managed = (v.quantize(COEFFICIENT_PLACES) for v in values)
        if not sales or not managed:
            errors.append(
                _("coefficients of %(currency)s: a value rounds to 0 at 12 decimal places") % {"currency": currency}
            )
            continue
        result[currency] = (sales, managed)
    if "USD" not in raw:
        errors.append(_("coefficients must include USD (the base of the USD figures)"))
    return result


def _requirements(raw: object, framework: str, errors: list[str]) -> dict[str, dict[str, Decimal]]:
    if not isinstance(raw, dict):
        errors.append(_("tiers must be an object with gold, platinum, diamond and elite"))
        return {}
    metrics = FRAMEWORK_METRICS[framework]
    errors += [
        _("tiers: unknown key %(key)r (expected %(allowed)s)") % {"key": tier, "allowed": ", ".join(Tier.ladder())}
        for tier in raw
        if tier not in Tier.ladder()
    ]
    result: dict[str, dict[str, Decimal]] = {}
    for tier in Tier.ladder():
        if tier not in raw:
            errors.append(_("missing tier %(tier)r") % {"tier": tier})
            continue
        values = raw[tier] if isinstance(raw[tier], dict) else {}
        errors += [
            _("tiers.%(tier)s: unknown key %(key)r for a %(framework)s rule set (expected %(allowed)s)")
            % {"tier": tier, "key": key, "framework": framework, "allowed": ", ".join(metrics)}
            for key in values
            if key not in metrics
        ]
        result[tier] = {}
        for metric in metrics:
            number = _decimal(values.get(metric))
            if number is None:
                errors.append(_("%(tier)s: %(metric)s must be a decimal string") % {"tier": tier, "metric": metric})
            elif number < 0:
                errors.append(_("%(tier)s: %(metric)s must not be negative") % {"tier": tier, "metric": metric})
            elif number >= THRESHOLD_LIMIT:
                errors.append(_("%(tier)s: %(metric)s is too large") % {"tier": tier, "metric": metric})
            else:
                result[tier][metric] = number.quantize(THRESHOLD_PLACES)
    _check_increasing(result, metrics, errors)
    return result


def _check_increasing(requirements: dict[str, dict[str, Decimal]], metrics: list[str], errors: list[str]) -> None:
    ladder = [tier for tier in Tier.ladder() if tier in requirements]
    for lower, upper in zip(ladder, ladder[1:], strict=False):
        for metric in metrics:
            low, high = requirements[lower].get(metric), requirements[upper].get(metric)
            if low is None or high is None:
                continue
            if high < low or (high == low and metric not in NON_DECREASING_METRICS):
                errors.append(
                    _("thresholds must increase from gold to elite: %(upper)s %(metric)s %(high)s ≤ %(lower)s %(low)s")
                    % {"upper": upper, "metric": metric, "high": high, "lower": lower, "low": low}
                )


def rule_set_uncovered_currencies(
    *, effective_from: dt.date, currencies: Iterable[str], exclude: int | None = None
) -> list[str]:
    """Problems (one per month) when a rule set from `effective_from` would judge imported MRR in a currency it has
    no coefficient for: the months from its own until the next published rule set takes over."""
    later = (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from__gt=effective_from)
        .exclude(pk=exclude)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    rows = CustomerMRR.objects.filter(month__gte=month_start(effective_from)).exclude(currency__in=list(currencies))
    if later is not None:
        rows = rows.filter(month__lt=month_start(later))
    missing: dict[dt.date, set[str]] = {}
    for month, currency in rows.values_list("month", "currency").distinct():
        missing.setdefault(month, set()).add(currency)
    return [
        _("MRR of %(month)s is in %(currencies)s, which the rule set has no coefficient for")
        % {"month": f"{month:%Y-%m}", "currencies": ", ".join(sorted(found))}
        for month, found in sorted(missing.items())
    ]


# --- MRR ---------------------------------------------------------------------

MRR_HEADER = ["partner_id", "month", "customer_domain", "customer_country", "currency", "sold_mrr", "managed_mrr"]
AMOUNT_RE = re.compile(r"\d{1,14}(?:\.\d{1,2})?")
MONTH_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
LOAD_TABLE = "tiers_mrr_load"
BATCH = 5000


@dataclass
class MrrLoad:
    """The outcome of loading an MRR file into the temporary table."""

    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class _MrrChecks:
    """Per-file validation of MRR rows; what the database decides (months, coefficients) is asked once per value.

    A month is accepted when it is not after the current month and a published
    rule set is in force for it; a currency when that rule set has a coefficient
    for it (else the monthly run would later refuse the whole month).
    """

    def __init__(self, partners: dict[str, int]) -> None:
        self.partners = partners
        self.this_month = f"{timezone.localdate():%Y-%m}"
        # Read up front: no query may run on the connection while the COPY is open.
        self.rule_sets = list(
            RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED)
            .order_by("-effective_from", "-published_at", "-pk")
            .prefetch_related("coefficients")
        )
        self.months: dict[str, str] = {}  # accepted month → its first day
        self.month_errors: dict[str, str] = {}
        self.currencies: dict[str, tuple[str, frozenset[str]]] = {}  # month → (rule set name, currencies)
        self.pairs: set[tuple[str, str]] = set()  # accepted (month, currency)

    def row(self, values: list[str]) -> tuple[tuple | None, list[str]]:
        """A valid, clean row → (row, []) on the fast path; anything else is checked in full."""
        if len(values) == 7:
            partner_id, month, domain, country, currency, sold, managed = values
            partner_pk = self.partners.get(partner_id)
            if (
                partner_pk is not None
                and (month, currency) in self.pairs
                and country in COUNTRY_CODES
                and AMOUNT_RE.fullmatch(sold)
                and AMOUNT_RE.fullmatch(managed)
                and is_normal_hostname(domain)
            ):
                return (partner_pk, self.months[month], domain, country, currency, sold, managed), []
        return self.row_checked(values)

    def row_checked(self, values: list[str]) -> tuple[tuple | None, list[str]]:
        if len(values) != 7:
            return None, [_columns(7, len(values))]
        partner_id, month, domain, country, currency, sold, managed = (v.strip() for v in values)
        problems = []
        partner_pk = self.partners.get(partner_id)
        if partner_pk is None:
            problems.append(_("unknown partner %(value)r") % {"value": partner_id})
        month_problem = self.month_problem(month)
        if month_problem:
            problems.append(month_problem)
        try:
            domain = normalise_hostname(domain)
        except InvalidDomain as exc:
            problems.append(_("customer_domain %(value)r: %(reason)s") % {"value": domain, "reason": exc.reason})
        country = country.upper()
        if country not in COUNTRY_CODES:
            problems.append(_unknown_country(country))
        currency = currency.upper()
        if currency not in CURRENCY_CODES:
            problems.append(_unknown_currency(currency))
        elif not month_problem:
            problems += self.currency_problems(month, currency)
        for column, amount in (("sold_mrr", sold), ("managed_mrr", managed)):
            if not AMOUNT_RE.fullmatch(amount):
                negative = amount.startswith("-") and AMOUNT_RE.fullmatch(amount[1:])
                message = (
                    _("%(column)s %(value)r is negative")
                    if negative
                    else _("%(column)s %(value)r is non-numeric (at most 2 decimal places)")
                )
                problems.append(message % {"column": column, "value": amount})
        if problems:
            return None, problems
        return (partner_pk, self.months[month], domain, country, currency, sold, managed), []

    def month_problem(self, month: str) -> str | None:
        if month in self.months:
            return None
        if month not in self.month_errors:
            self.month_errors[month] = self._month_judged(month)
        return self.month_errors[month]

    def _month_judged(self, month: str) -> str | None:
        if not MONTH_RE.fullmatch(month) or month < "1970":
            return _("bad month %(value)r (expected YYYY-MM)") % {"value": month}
        if month > self.this_month:
            return _("month %(month)s is in the future (the current month is %(current)s)") % {
                "month": month,
                "current": self.this_month,
            }
        last_day = month_end(parse_month(month))
        # As engine.rule_set_in_force: the latest published rule set in force on the month's last day.
        rule_set = next((r for r in self.rule_sets if r.effective_from <= last_day), None)
        if rule_set is None:
            if not self.rule_sets:
                return _("no published rule set is in force for %(month)s: import the rules first") % {"month": month}
            first = min(self.rule_sets, key=lambda r: r.effective_from)
            return _("month %(month)s is before the programme's first rule set (%(name)s, in force from %(date)s)") % {
                "month": month,
                "name": first.name,
                "date": first.effective_from.isoformat(),
            }
        currencies = frozenset(c.currency for c in rule_set.coefficients.all())
        self.currencies[month] = (rule_set.name, currencies)
        self.months[month] = f"{month}-01"
        return None

    def currency_problems(self, month: str, currency: str) -> list[str]:
        name, currencies = self.currencies[month]
        if currency not in currencies:
            return [
                _(
                    "no coefficient for %(currency)s in rule set %(name)r, in force for %(month)s: "
                    "add it to the rule set first"
                )
                % {"currency": currency, "name": name, "month": month}
            ]
        self.pairs.add((month, currency))
        return []


def mrr_load(lines: Iterable[str], *, partners: dict[str, int]) -> MrrLoad:
    """Validate and stream an MRR CSV into the temporary load table (inside the caller's transaction)."""
    reader = csv.reader(lines)
    _check_header(reader, MRR_HEADER)
    result = MrrLoad()
    checks = _MrrChecks(partners)
    writer = _PostgresWriter() if connection.vendor == "postgresql" else _BatchWriter()
    unreadable: ImportRejected | None = None
    with writer:
        try:
            for values in reader:
                if not values:
                    continue
                row, problems = checks.row(values)
                if problems:
                    result.errors += [(reader.line_num, problem) for problem in problems]
                    continue
                writer.add((reader.line_num, *row))
                result.rows += 1
        except ImportRejected as exc:  # undecodable bytes: end the COPY cleanly first, then refuse
            unreadable = exc
    if unreadable is not None:
        raise unreadable
    if result.errors or connection.vendor != "postgresql":
        # PostgreSQL's unique index refuses a key twice on its own (see mrr_upsert),
        # so a clean file skips this GROUP BY there; SQLite's upsert would keep the last.
        result.errors += duplicate_errors()
    result.errors.sort(key=lambda item: item[0])
    return result


COLUMNS = "line, partner_id, month, customer_domain, customer_country, currency, sold_mrr, managed_mrr"


def mrr_load_table_create() -> None:
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sort and group the load in memory (the default 4 MB spills to disk).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {LOAD_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {LOAD_TABLE} (line integer, partner_id bigint, month date, "
            "customer_domain varchar(253), customer_country varchar(2), currency varchar(3), "
            f"sold_mrr numeric(16, 2), managed_mrr numeric(16, 2)){on_commit}"
        )


def mrr_load_table_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {LOAD_TABLE}")


class _BatchWriter:
    """SQLite (and any other database): executemany in batches."""

    def __init__(self) -> None:
        self.batch: list[tuple] = []

    def __enter__(self) -> _BatchWriter:
        return self

    def add(self, row: tuple) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {LOAD_TABLE} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", self.batch
                )
            self.batch = []

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.flush()


class _PostgresWriter:
    """PostgreSQL: COPY FROM STDIN in text format; values were validated to need no escaping."""

    def __enter__(self) -> _PostgresWriter:
        self._cursor = connection.cursor()
        self._copy_cm = self._cursor.cursor.copy(f"COPY {LOAD_TABLE} ({COLUMNS}) FROM STDIN")
        self._copy = self._copy_cm.__enter__()
        self._buffer: list[str] = []
        return self

    def add(self, row: tuple) -> None:
        line, partner_pk, month, domain, country, currency, sold, managed = row
        self._buffer.append(f"{line}\t{partner_pk}\t{month}\t{domain}\t{country}\t{currency}\t{sold}\t{managed}")
        if len(self._buffer) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._copy.write("\n".join(self._buffer) + "\n")
            self._buffer = []

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._flush()
            self._copy_cm.__exit__(*exc)
        finally:
            self._cursor.close()


def duplicate_errors() -> list[tuple[int, str]]:
    """Lines repeating a (partner, month, customer_domain) key, found in SQL, not in memory."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.line, t.partner_id, t.month, t.customer_domain FROM {LOAD_TABLE} t "
            f"JOIN (SELECT partner_id, month, customer_domain FROM {LOAD_TABLE} "
            "GROUP BY partner_id, month, customer_domain HAVING COUNT(*) > 1) d "
            "ON t.partner_id = d.partner_id AND t.month = d.month AND t.customer_domain = d.customer_domain "
            "ORDER BY t.partner_id, t.month, t.customer_domain, t.line"
        )
        duplicates = cursor.fetchall()
    groups: dict[tuple, list[int]] = {}
    for line, partner_pk, month, domain in duplicates:
        groups.setdefault((partner_pk, str(month), domain), []).append(line)
    errors = []
    for (_partner, _month, domain), lines in groups.items():
        listed = ", ".join(map(str, lines))
        message = _("the same partner, month and customer_domain (%(domain)s) appears on lines %(lines)s") % {
            "domain": domain,
            "lines": listed,
        }
        errors += [(line, message) for line in lines]
    return errors


class DuplicateKeys(Exception):
    """The load holds a (partner, month, customer_domain) twice (PostgreSQL's upsert found it)."""


def mrr_upsert() -> None:
    """Move the loaded rows into place; a row for an existing key replaces it.

    Raises DuplicateKeys when PostgreSQL finds a key twice in the load; the
    caller then lists the lines.
    """
    try:
        with transaction.atomic():
            _partners_lock()
            if connection.vendor == "postgresql":
                _replace_and_insert()
            else:
                _insert_on_conflict()
    except DatabaseError as exc:
        # Existing keys were deleted first, so a unique violation is a key twice in the file.
        if getattr(exc.__cause__, "sqlstate", None) in {"21000", "23505"}:
            raise DuplicateKeys from exc
        raise


TARGET_COLUMNS = "partner_id, month, customer_domain, customer_country, currency, sold_mrr, managed_mrr"


def _replace_and_insert() -> None:
    """PostgreSQL: delete the keys being replaced, then one plain INSERT (cheaper than ON CONFLICT)."""
    table = connection.ops.quote_name(CustomerMRR._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {LOAD_TABLE}")
        cursor.execute(
            f"DELETE FROM {table} t USING {LOAD_TABLE} l "
            f"WHERE t.month IN (SELECT DISTINCT month FROM {LOAD_TABLE}) AND t.partner_id = l.partner_id "
            "AND t.month = l.month AND t.customer_domain = l.customer_domain"
        )
        cursor.execute(f"INSERT INTO {table} ({TARGET_COLUMNS}) SELECT {TARGET_COLUMNS} FROM {LOAD_TABLE}")


def _insert_on_conflict() -> None:
    table = connection.ops.quote_name(CustomerMRR._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({TARGET_COLUMNS}) SELECT {TARGET_COLUMNS} FROM {LOAD_TABLE} WHERE true "
            "ON CONFLICT (partner_id, month, customer_domain) DO UPDATE SET "
            "customer_country = excluded.customer_country, currency = excluded.currency, "
            "sold_mrr = excluded.sold_mrr, managed_mrr = excluded.managed_mrr"
        )


def _partners_lock() -> None:
    """Hold the referenced partners until commit (FOR KEY SHARE), as a FK check would, in one statement."""
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time already
    table = connection.ops.quote_name(Partner._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id IN (SELECT DISTINCT partner_id FROM {LOAD_TABLE}) FOR KEY SHARE"
        )
