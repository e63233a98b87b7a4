"""The monthly MRR CSV (`import_mrr`): streamed, validated, loaded set-based.

Rows go, validated, into a temporary table (COPY on PostgreSQL, batched inserts
on SQLite), duplicates are found there in SQL, and one set-based statement moves
them into place (PostgreSQL: delete the replaced keys, one plain INSERT; SQLite:
`INSERT … ON CONFLICT DO UPDATE`) — memory does not grow with the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.domains import InvalidDomain, is_normal_hostname, normalise_hostname, public_suffixes
from portal.models import Partner
from portal.months import month_end, parse_month
from tiers.importers.files import (
    COUNTRY_CODES,
    CURRENCY_CODES,
    ImportRejected,
    check_header,
    columns_problem,
    text_chunks,
    unknown_country,
    unknown_currency,
)
from tiers.models import CustomerMRR, RuleSet, RuleSetStatus

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
            return None, [columns_problem(7, len(values))]
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
            problems.append(unknown_country(country))
        currency = currency.upper()
        if currency not in CURRENCY_CODES:
            problems.append(unknown_currency(currency))
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
    check_header(reader, MRR_HEADER)
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


# --- the fast path: the file's text COPYed as is, checked set-based -----------------------------------

FAST_TABLE = "tiers_mrr_raw"
# Conservative: every domain this shape admits (and the suffix checks below pass) is one that
# `is_normal_hostname` accepts; anything else goes the row-by-row way, which decides and words it.
# (Bounded repeats such as {0,61} make PostgreSQL's regex ~30× slower: lengths are checked apart.)
FAST_DOMAIN_RE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
FAST_AMOUNT_RE = r"^[0-9]+(\.[0-9][0-9]?)?$"
# A large import changes the month's statistics enough that the planner must see them at once
# (a fresh month is otherwise planned as if it held a handful of rows).
ANALYZE_ROWS = 10_000


class FullChecksNeeded(Exception):
    """The fast path cannot vouch for every row: the file is checked row by row, which words each problem."""


def mrr_fast_import(lines: Iterable[str], *, before_write: Callable[[list[dt.date]], None]) -> tuple[int, list]:
    """Import a clean MRR file without a Python step per row (PostgreSQL); returns (rows, months).

    The text is COPYed as is into a temporary table of text columns; the months,
    currencies and countries in it are judged once per distinct value, the
    partners by an inner join and the amounts and customer domains by conservative
    patterns in the INSERT itself. Any doubt — a quote or backslash in the text, a
    line COPY cannot take, a value judged bad, fewer rows inserted than loaded, a
    key twice — raises FullChecksNeeded, and the caller (inside a savepoint that is
    then rolled back) checks the file row by row instead. `before_write(months)`
    runs before anything is written (locks, refusals).
    """
    if connection.vendor != "postgresql":
        raise FullChecksNeeded
    chunks = text_chunks(lines)
    head = ""
    for chunk in chunks:
        head += chunk
        if "\n" in head:
            break
    header, _newline, first = head.partition("\n")
    check_header(csv.reader([header] if header or head else []), MRR_HEADER)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FAST_TABLE}")  # an earlier import in the same transaction
        cursor.execute(
            f"CREATE TEMPORARY TABLE {FAST_TABLE} (partner_id text, month text, customer_domain text, "
            "customer_country text, currency text, sold_mrr text, managed_mrr text) ON COMMIT DROP"
        )
        try:
            loaded, expected = _copy_text(cursor.cursor, itertools.chain([first], chunks))
        except psycopg.Error as exc:  # a line COPY cannot take (columns, quoting, line endings)
            raise FullChecksNeeded from exc
        if loaded != expected:
            raise FullChecksNeeded
        cursor.execute(
            f"SELECT month, currency, customer_country FROM {FAST_TABLE} "
            "GROUP BY GROUPING SETS ((month, currency), (customer_country))"
        )
        months = _fast_values_judged(cursor.fetchall())
        before_write(months)
        if loaded:
            _fast_write(cursor, months, loaded)
        cursor.execute(f"DROP TABLE {FAST_TABLE}")
    return loaded, months


def _copy_text(cursor, chunks: Iterable[str]) -> tuple[int, int]:
    """COPY the text (CSV, as is); (rows COPY took, lines sent). A quote or backslash anywhere → FullChecksNeeded."""
    expected, doubtful, unreadable, last = 0, False, None, "\n"
    with cursor.copy(f"COPY {FAST_TABLE} FROM STDIN (FORMAT csv)") as copy:
        try:
            for chunk in chunks:
                if not chunk:
                    continue
                if '"' in chunk or "\\" in chunk:
                    doubtful = True
                    break
                copy.write(chunk)
                expected += chunk.count("\n")
                last = chunk[-1]
        except ImportRejected as exc:  # undecodable bytes: end the COPY cleanly first, then refuse
            unreadable = exc
    if unreadable is not None:
        raise unreadable
    if doubtful:
        raise FullChecksNeeded
    return cursor.rowcount, expected + (last != "\n")


def _fast_values_judged(rows: list[tuple]) -> list[dt.date]:
    """Each month/currency pair and each country, once; the months of the file (first days)."""
    checks = _MrrChecks({})
    months = set()
    for month, currency, country in rows:
        if country is not None or month is not None:
            if country is not None:
                if country not in COUNTRY_CODES:
                    raise FullChecksNeeded
                continue
            if currency is None or checks.month_problem(month) or currency not in CURRENCY_CODES:
                raise FullChecksNeeded
            if checks.currency_problems(month, currency):
                raise FullChecksNeeded
            months.add(dt.date.fromisoformat(checks.months[month]))
        else:
            raise FullChecksNeeded  # an empty month (or country) column
    return sorted(months)


def _fast_write(cursor, months: list[dt.date], loaded: int) -> None:
    table = connection.ops.quote_name(CustomerMRR._meta.db_table)
    partners = connection.ops.quote_name(Partner._meta.db_table)
    suffixes = public_suffixes()
    rules = [rule for rule in suffixes if rule[0] not in "*!"]
    wildcards = [rule[2:] for rule in suffixes if rule.startswith("*.")]
    # Hold the referenced partners until commit (FOR KEY SHARE), as a FK check would, in one statement.
    cursor.execute(  # counted in the database: the locked rows are not sent back
        f"SELECT count(*) FROM (SELECT 1 FROM {partners} WHERE partner_id IN (SELECT partner_id FROM {FAST_TABLE}) "
        "FOR KEY SHARE) locked"
    )
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE month = ANY(%s))", [months])
    if cursor.fetchone()[0]:  # rows for an existing key are replaced: delete those first
        cursor.execute(
            f"DELETE FROM {table} t USING {FAST_TABLE} l JOIN {partners} p ON p.partner_id = l.partner_id "
            "WHERE t.month = ANY(%s) AND t.partner_id = p.id AND t.month = (l.month || '-01')::date "
            "AND t.customer_domain = l.customer_domain",
            [months],
        )
    try:
        with transaction.atomic():
            # The raw table is never analysed, and its checks look selective: left alone the planner
            # probes the partner index once per row; one hash of the partners is ~5× cheaper.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(
                f"INSERT INTO {table} ({TARGET_COLUMNS}) "
                "SELECT p.id, (l.month || '-01')::date, l.customer_domain, l.customer_country, l.currency, "
                "l.sold_mrr::numeric(16, 2), l.managed_mrr::numeric(16, 2) "
                f"FROM {FAST_TABLE} l JOIN {partners} p ON p.partner_id = l.partner_id "
                "WHERE l.sold_mrr ~ %(amount)s AND length(split_part(l.sold_mrr, '.', 1)) <= 14 "
                "AND l.managed_mrr ~ %(amount)s AND length(split_part(l.managed_mrr, '.', 1)) <= 14 "
                "AND length(l.customer_domain) <= 253 AND l.customer_domain ~ %(domain)s "
                "AND (length(l.customer_domain) <= 63 OR l.customer_domain !~ '[^.]{64}') "
                "AND strpos(l.customer_domain, 'xn--') = 0 "
                "AND NOT (l.customer_domain = ANY(%(rules)s)) "
                "AND NOT (substr(l.customer_domain, strpos(l.customer_domain, '.') + 1) = ANY(%(wildcards)s)) "
                "AND split_part(l.customer_domain, '.', -1) = ANY(%(rules)s)",
                {"amount": FAST_AMOUNT_RE, "domain": FAST_DOMAIN_RE, "rules": rules, "wildcards": wildcards},
            )
            inserted = cursor.rowcount
            cursor.execute("RESET enable_nestloop")
    except DatabaseError as exc:  # a key twice in the file, or a value the casts refuse
        raise FullChecksNeeded from exc
    if inserted != loaded:
        raise FullChecksNeeded
    if loaded >= ANALYZE_ROWS:
        # The columns the monthly run's plan depends on (its filter, join and grouping); sampling
        # the customer domains too would double the cost, and nothing plans on them.
        cursor.execute(f"ANALYZE {table} (month, partner_id, currency, customer_country)")
