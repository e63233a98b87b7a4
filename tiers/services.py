"""Writes of the tier engine: imports, rule set publishing, monthly runs, reassessments, manual tiers.

`Partner.tier` / `Partner.tier_since` change here only, in `_tiers_apply`,
always with a TierChange row and under the `tiers:partner-tier` lock. Every
run goes through the portal-wide ledger (`portal.jobs.job_run`): its start row
is committed before the work and its outcome after, so a refused or failed run
is recorded (and staff emailed) while its work rolls back, and a second run of
a done period changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from portal import jobs
from portal.access import PUBLISH_RULESET, SET_TIER_MANUALLY, acting_user_require
from portal.errors import PortalError
from portal.models import JobOutcome, JobRun, Partner, PartnerKind, Tier, User
from portal.months import add_months, month_end, month_start, parse_month
from tiers import engine, importers
from tiers.engine import TIER_RANK
from tiers.importers import ImportRejected, RuleSetSpec
from tiers.models import (
    CurrencyCoefficient,
    MonthCompleteness,
    MonthlySnapshot,
    RuleSet,
    RuleSetStatus,
    TierChange,
    TierRequirement,
    UploadPhase,
)
from tiers.selectors import rule_set_has_judged

BULK_BATCH = 2000
PARTNER_TIER_LOCK = "tiers:partner-tier"

__all__ = [
    "ImportRejected",
    "RunRefused",
    "RunResult",
    "TierError",
    "mrr_import",
    "month_evaluate",
    "partner_import",
    "reassessment_run",
    "rule_set_import",
    "rule_set_publish",
    "tier_set_manually",
]


class TierError(PortalError):
    """A request the tier engine refuses (the message says why)."""

    code = "tier_refused"


class RunRefused(TierError, jobs.JobRefused):
    """A monthly run or reassessment that cannot run; its work wrote nothing (the ledger records the refusal)."""


JOB_MONTHLY = "monthly_evaluation"
JOB_REASSESSMENT = "reassessment"
JOB_CORRECTION = "mrr_correction"


class CorrectionRejected(ImportRejected, jobs.JobRefused):
    """A correction file rejected as a whole (the ledger records the correction as refused)."""


# An import's progress report: `progress(phase, rows_read=…, rows_rejected=…)` (phase: UploadPhase value;
# counts only when known). Imports call it when given; the browser upload shows it (tiers.uploads).
Progress = Callable[..., None]


def _report(progress: Progress | None, phase: str, **counts: int) -> None:
    if progress is not None:
        progress(phase, **counts)


@dataclass
class RunResult:
    run: JobRun
    ran: bool  # False: the period was already done, nothing changed
    counts: dict = field(default_factory=dict)


# --- locks and ledger --------------------------------------------------------


def _advisory_lock(key: str) -> None:
    """Serialise writers of `key` until the transaction ends (PostgreSQL).

    SQLite allows one writing transaction at a time already, so it needs none.
    """
    if connection.vendor != "postgresql":
        return
    lock_id = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


# --- the one writer of Partner.tier -------------------------------------------


@dataclass(frozen=True)
class _Change:
    partner_id: int
    from_tier: str
    to_tier: str
    note: str = ""


def _tiers_record(
    changes: list[_Change],
    *,
    reason: str,
    effective_on: dt.date,
    run: JobRun | None = None,
    acting_user: User | None = None,
) -> None:
    """Insert TierChange rows only (history); `_tiers_apply` also moves Partner.tier."""
    if not changes:
        return
    now = timezone.now()
    run_id, user_id = (run.pk if run else None), (acting_user.pk if acting_user else None)
    _insert_rows(
        TierChange,
        [
            "partner_id",
            "from_tier",
            "to_tier",
            "reason",
            "effective_on",
            "run_id",
            "changed_by_id",
            "note",
            "created_at",
        ],
        [(c.partner_id, c.from_tier, c.to_tier, reason, effective_on, run_id, user_id, c.note, now) for c in changes],
    )


def _tiers_apply(
    changes: list[_Change],
    *,
    reason: str,
    effective_on: dt.date,
    run: JobRun | None = None,
    acting_user: User | None = None,
) -> None:
    """Record TierChange rows and update Partner.tier/tier_since in bulk (one UPDATE per target tier).

    Callers hold PARTNER_TIER_LOCK; the `tier=from` condition still guards
    each update so a stale plan can never overwrite a newer tier silently.
    """
    if not changes:
        return
    _tiers_record(changes, reason=reason, effective_on=effective_on, run=run, acting_user=acting_user)
    groups: dict[tuple[str, str], list[int]] = {}
    for c in changes:
        groups.setdefault((c.from_tier, c.to_tier), []).append(c.partner_id)
    for (from_tier, to_tier), ids in groups.items():
        for start in range(0, len(ids), BULK_BATCH):
            chunk = ids[start : start + BULK_BATCH]
            updated = Partner.objects.filter(pk__in=chunk, tier=from_tier).update(tier=to_tier, tier_since=effective_on)
            if updated != len(chunk):
                raise TierError("a partner's tier changed during the run; nothing was written, run it again")


def _tiers_in_effect(partner_ids: Iterable[int], on: dt.date) -> dict[int, str]:
    """Each partner's tier in effect on `on` according to its TierChange history (selectors.tier_on, in bulk)."""
    ids = list(partner_ids)
    result = dict(Partner.objects.filter(pk__in=ids).values_list("pk", "tier"))
    first_from: dict[int, str] = {}
    last_to: dict[int, str] = {}
    for pk, from_tier, to_tier, effective_on in (
        TierChange.objects.filter(partner_id__in=ids)
        .order_by("partner_id", "effective_on", "created_at", "pk")
        .values_list("partner_id", "from_tier", "to_tier", "effective_on")
    ):
        first_from.setdefault(pk, from_tier)
        if effective_on <= on:
            last_to[pk] = to_tier
    for pk in ids:
        if pk in last_to:
            result[pk] = last_to[pk]
        elif pk in first_from:
            result[pk] = first_from[pk]
    return result


def tier_set_manually(
    *, partner: Partner, tier: str, acting_user: User | None, note: str = "", effective_on: dt.date | None = None
) -> TierChange | None:
    """Programme staff set a partner's tier by hand (audited). Returns None when nothing changes."""
    acting_user_require(acting_user, SET_TIER_MANUALLY)
    if tier not in Tier.values:
        raise TierError(f"unknown tier {tier!r}")
    with transaction.atomic():
        _advisory_lock(PARTNER_TIER_LOCK)
        current = Partner.objects.select_for_update().get(pk=partner.pk)
        if current.kind == PartnerKind.PROVIDER:
            raise TierError("providers have no tier ladder")
        if current.tier == tier:
            return None
        effective_on = effective_on or timezone.localdate()
        _tiers_apply(
            [_Change(current.pk, current.tier, tier, note)],
            reason=TierChange.Reason.MANUAL,
            effective_on=effective_on,
            acting_user=acting_user,
        )
    partner.refresh_from_db(fields=["tier", "tier_since"])
    return TierChange.objects.filter(partner=partner).order_by("-created_at", "-pk").first()


# --- monthly evaluation --------------------------------------------------------


def _insert_rows(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """Bulk insert: COPY on PostgreSQL (an order of magnitude faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create((model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BULK_BATCH)


JUDGED_TABLE = "tiers_judged_month"


def _snapshots_write(month: dt.date, rule_set: RuleSet, run: JobRun) -> int:
    """Judge `month` set-based and write every solutions partner's snapshot, all in SQL.

    The SELECT is the engine's (`engine.judged_month_sql`), so the snapshots hold
    exactly what `compute_month` returns, without a row per partner in Python.
    RunRefused (the insert rolls back with the run) when an MRR currency has no coefficient.
    """
    MonthlySnapshot.objects.filter(month=month).delete()  # only leftovers of a hand-deleted ledger row
    select, params = engine.judged_month_sql(month=month, rules=engine.rules_load(rule_set))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in engine.JUDGED_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The month's sums in memory, not spilled to disk (a batch job, in its own transaction).
            cursor.execute(f"SET LOCAL work_mem = '{engine.AGGREGATE_WORK_MEM}'")
        # CREATE TABLE … AS may aggregate in parallel; an INSERT … SELECT may not.
        cursor.execute(f"CREATE TEMPORARY TABLE {JUDGED_TABLE} AS {select}", params)
        cursor.execute(
            f"INSERT INTO {quote(MonthlySnapshot._meta.db_table)} (month, rule_set_id, run_id, {columns}) "
            f"SELECT %s, %s, %s, {columns} FROM {JUDGED_TABLE}",
            [month, rule_set.pk, run.pk],
        )
        written = cursor.rowcount
        cursor.execute(f"SELECT COALESCE(SUM(missing), 0) FROM {JUDGED_TABLE}")
        [missing] = cursor.fetchone()
        cursor.execute(f"DROP TABLE {JUDGED_TABLE}")
    if missing:
        currencies = ", ".join(engine.missing_currencies(month, rule_set))
        raise RunRefused(f"rule set {rule_set.name!r} has no coefficient for: {currencies}")
    return written


def month_evaluate(*, month: dt.date, actor: str = "") -> RunResult:
    """Evaluate every solutions partner for `month` and apply promotions (ledger: monthly_evaluation).

    A done evaluation of the month → nothing changes (`ran=False`). RunRefused
    (recorded as refused, staff emailed) when no published rule set is in force
    or an MRR currency has no coefficient. Readiness of the month's data is the
    scheduler's concern (`month_wait_reason`): an operator's explicit run evaluates.
    """
    month = month_start(month)
    outcome = jobs.job_run(
        job=JOB_MONTHLY, period=f"{month:%Y-%m}", work=lambda run: _month_evaluate(month, run), actor=actor
    )
    return RunResult(run=outcome.run, ran=outcome.ran, counts=outcome.run.counts)


def _month_evaluate(month: dt.date, run: JobRun) -> dict:
    """The work of a monthly evaluation, inside the ledger's transaction.

    1. Refuse when no published rule set is in force on the month's last day,
       or an MRR currency has no coefficient in it.
    2. Judge every partner's month set-based and write the snapshots in one
       INSERT … SELECT (engine.judged_month_sql).
    3. Promote partners whose achieved tier is above their current tier,
       effective the first day of the next month. Never demote.
    """
    period = f"{month:%Y-%m}"
    rule_set = engine.rule_set_in_force(month)
    if rule_set is None:
        raise RunRefused(f"no published rule set is in force for {period}")
    # Row lock: a concurrent re-import of this rule set waits, then sees it has judged a month.
    list(RuleSet.objects.select_for_update().filter(pk=rule_set.pk).values_list("pk", flat=True))
    _advisory_lock(f"tiers:mrr-month:{period}")  # an import of this month waits for the run, then is refused
    _advisory_lock(PARTNER_TIER_LOCK)
    partners = _snapshots_write(month, rule_set, run)
    promotions = _promotions(month)
    _tiers_apply(promotions, reason=TierChange.Reason.PROMOTION, effective_on=add_months(month, 1), run=run)
    return {"partners": partners, "promoted": len(promotions), "rule_set": rule_set.name, "rule_set_id": rule_set.pk}


def _promotions(month: dt.date) -> list[_Change]:
    """Solutions partners whose tier achieved in `month`'s snapshot is above their current tier (one query)."""
    above = (
        MonthlySnapshot.objects.filter(month=month, partner__kind=PartnerKind.SOLUTIONS_PARTNER)
        .annotate(
            achieved_rank=engine.tier_rank_expression("achieved_tier"),
            current_rank=engine.tier_rank_expression("partner__tier"),
        )
        .filter(achieved_rank__gt=F("current_rank"))
        .order_by("partner_id")
    )
    return [
        _Change(pk, tier, achieved)
        for pk, tier, achieved in above.values_list("partner_id", "partner__tier", "achieved_tier")
    ]


# --- reassessment ------------------------------------------------------------


def evaluated_months(periods: Iterable[str]) -> set[str]:
    return set(
        JobRun.objects.filter(job=JOB_MONTHLY, outcome=JobOutcome.DONE, period__in=list(periods)).values_list(
            "period", flat=True
        )
    )


def reassessment_missing_months(on: dt.date) -> list[str]:
    """The months of the reassessment window of `on` not evaluated yet (the scheduled run waits for them)."""
    months = [f"{m:%Y-%m}" for m in engine.reassessment_months(on)]
    evaluated = evaluated_months(months)
    return [m for m in months if m not in evaluated]


def reassessment_run(*, on: dt.date, force: bool = False, why: str = "", actor: str = "") -> RunResult:
    """The semiannual reassessment as of `on` (15 January / 15 July; ledger: reassessment).

    TierError (nothing written) for a date that is not a reassessment date,
    unless `force` with a reason `why`: the forced run is audited in the ledger
    (who, when, why) and in each tier change's note.
    """
    note = ""
    if not engine.is_reassessment_date(on):
        if not force:
            dates = " / ".join(f"{d:%d %B}" for d in engine.reassessment_dates(on.year))
            raise TierError(
                f"{on.isoformat()} is not a reassessment date ({dates}); "
                "pass --force with --reason to run an off-cycle reassessment"
            )
        if not why.strip():
            raise TierError("an off-cycle reassessment (--force) needs a reason (--reason)")
        note = f"off-cycle reassessment forced by {actor or 'unknown'}: {why.strip()}"
    outcome = jobs.job_run(
        job=JOB_REASSESSMENT, period=on.isoformat(), work=lambda run: _reassess(on, run, note), actor=actor, note=note
    )
    return RunResult(run=outcome.run, ran=outcome.ran, counts=outcome.run.counts)


def _reassess(on: dt.date, run: JobRun, note: str) -> dict:
    """The work of a reassessment, inside the ledger's transaction.

    1. Refuse, naming them, when any of the six months before is not evaluated.
    2. New tier = highest tier achieved in those months (each judged by its own
       rule set, as stored in its snapshot); up or down any number of steps,
       effective on `on`.
    3. As of its date: a partner whose tier changed effective after `on` (e.g. July
       evaluated before a late run: promotion effective 1 August) keeps that later
       tier; the reassessment is recorded in its history at `on` only.
    """
    missing = reassessment_missing_months(on)
    if missing:
        raise RunRefused(f"months not evaluated yet: {', '.join(missing)}")
    _advisory_lock(PARTNER_TIER_LOCK)
    outcome = engine.reassessment_outcome(partner_ids=None, on=on)
    current = dict(Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER).values_list("pk", "tier"))
    later = set(
        TierChange.objects.filter(effective_on__gt=on, partner_id__in=list(current)).values_list(
            "partner_id", flat=True
        )
    )
    at_date = _tiers_in_effect(later, on)
    now_changes, history_only = [], []
    for pk, (tier, _met) in sorted(outcome.items()):
        if pk not in current:
            continue
        before = at_date[pk] if pk in later else current[pk]
        if before != tier:
            target = history_only if pk in later else now_changes
            # No explanation stored: the dashboard explains a reassessment from its window and snapshots,
            # in the reader's language. A forced run's reason is kept as the note.
            target.append(_Change(pk, before, tier, note or ""))
    _tiers_apply(now_changes, reason=TierChange.Reason.REASSESSMENT, effective_on=on, run=run)
    _tiers_record(history_only, reason=TierChange.Reason.REASSESSMENT, effective_on=on, run=run)
    changes = now_changes + history_only
    ups = sum(1 for c in changes if TIER_RANK[c.to_tier] > TIER_RANK[c.from_tier])
    counts = {"partners": len(outcome), "changed": len(changes), "up": ups, "down": len(changes) - ups}
    if history_only:
        counts["kept_later_change"] = len(history_only)
    return counts


# --- rule sets -----------------------------------------------------------------


def rule_set_import(
    *, data: object, draft: bool = False, acting_user: User | None = None, progress: Progress | None = None
) -> RuleSet:
    """Create a rule set from its JSON document, or replace an unused one of the same name.

    Published unless `draft`. ImportRejected (nothing written) on any invalid
    value or when the named rule set has already judged a month.
    """
    acting_user_require(acting_user, "tiers.add_ruleset")
    _report(progress, UploadPhase.CHECKING)
    spec = importers.rule_set_spec(data)
    _report(progress, UploadPhase.WRITING)
    with transaction.atomic():
        _advisory_lock("tiers:rule-sets")
        rule_set = RuleSet.objects.select_for_update().filter(name=spec.name).first()
        if rule_set is not None and rule_set_has_judged(rule_set):
            raise ImportRejected(
                [gettext("rule set %(name)r has already judged a month and cannot be changed") % {"name": spec.name}]
            )
        if rule_set is None:
            rule_set = RuleSet(name=spec.name)
        if not draft:
            same_date = _published_on_same_date(spec.effective_from, exclude=rule_set.pk)
            if same_date is not None:
                raise ImportRejected([_same_date_message(spec.name, same_date)])
            uncovered = importers.rule_set_uncovered_currencies(
                effective_from=spec.effective_from, currencies=spec.coefficients, exclude=rule_set.pk
            )
            if uncovered:
                raise ImportRejected(uncovered)
        _rule_set_fill(rule_set, spec, draft=draft)
    return rule_set


def _published_on_same_date(effective_from: dt.date, *, exclude: int | None) -> RuleSet | None:
    """The published rule set already in force from that date (one date, one rule set: which would judge?)."""
    return (
        RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED, effective_from=effective_from)
        .exclude(pk=exclude)
        .first()
    )


def _same_date_message(name: str, other: RuleSet) -> str:
    return gettext(
        "rule set %(name)r cannot be published: %(other)r is already published with the same effective date "
        "%(date)s; change the date or unpublish %(other)r first"
    ) % {"name": name, "other": other.name, "date": other.effective_from.isoformat()}


def _rule_set_fill(rule_set: RuleSet, spec: RuleSetSpec, *, draft: bool) -> None:
    rule_set.framework = spec.framework
    rule_set.effective_from = spec.effective_from
    rule_set.emerging_market_multiplier = spec.multiplier
    rule_set.status = RuleSetStatus.DRAFT if draft else RuleSetStatus.PUBLISHED
    rule_set.published_at = None if draft else timezone.now()
    rule_set.save()
    rule_set.coefficients.all().delete()
    rule_set.requirements.all().delete()
    CurrencyCoefficient.objects.bulk_create(
        CurrencyCoefficient(rule_set=rule_set, currency=currency, sales=sales, managed=managed)
        for currency, (sales, managed) in sorted(spec.coefficients.items())
    )
    TierRequirement.objects.bulk_create(
        TierRequirement(rule_set=rule_set, tier=tier, metric=metric, threshold=threshold)
        for tier, metrics in spec.requirements.items()
        for metric, threshold in metrics.items()
    )


def rule_set_publish(*, rule_set: RuleSet, acting_user: User | None = None) -> RuleSet:
    """Publish a draft (conditional update: publishing twice is harmless)."""
    acting_user_require(acting_user, PUBLISH_RULESET)
    if not rule_set.requirements.exists() or not rule_set.coefficients.exists():
        raise TierError(
            _("rule set %(name)s needs coefficients and tier requirements before publishing")
            % {"name": repr(rule_set.name)}
        )
    with transaction.atomic():
        _advisory_lock("tiers:rule-sets")
        locked = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if locked.status == RuleSetStatus.DRAFT:
            same_date = _published_on_same_date(rule_set.effective_from, exclude=rule_set.pk)
            if same_date is not None:
                raise TierError(_same_date_message(rule_set.name, same_date))
            uncovered = importers.rule_set_uncovered_currencies(
                effective_from=rule_set.effective_from,
                currencies=rule_set.coefficients.values_list("currency", flat=True),
                exclude=rule_set.pk,
            )
            if uncovered:
                raise TierError("; ".join(uncovered))
            _rule_set_status_save(locked, RuleSetStatus.PUBLISHED, acting_user, published=True)
    rule_set.refresh_from_db(fields=["status", "published_at", "published_by"])
    return rule_set


def _rule_set_status_save(rule_set: RuleSet, status: str, acting_user: User | None, *, published: bool) -> None:
    """Save the status under the row lock; django-simple-history records who, when, old → new."""
    rule_set.status = status
    rule_set.published_at = timezone.now() if published else None
    rule_set.published_by = acting_user if published else None
    rule_set._history_user = acting_user
    rule_set._change_reason = "published" if published else "unpublished"
    rule_set.save(update_fields=["status", "published_at", "published_by"])


def rule_set_unpublish(*, rule_set: RuleSet, acting_user: User | None = None) -> RuleSet:
    """Back to draft, only while it has judged no month."""
    acting_user_require(acting_user, PUBLISH_RULESET)
    with transaction.atomic():
        locked = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if rule_set_has_judged(locked):
            raise TierError(_("rule set %(name)s has judged a month and cannot change") % {"name": repr(rule_set.name)})
        if locked.status != RuleSetStatus.DRAFT:
            _rule_set_status_save(locked, RuleSetStatus.DRAFT, acting_user, published=False)
    rule_set.refresh_from_db(fields=["status", "published_at", "published_by"])
    return rule_set


# --- imports -------------------------------------------------------------------


CORRECTION_HINT = "import_mrr FILE --correct"


def mrr_import(*, lines: Iterable[str], complete: bool = False, by: str = "", progress: Progress | None = None) -> int:
    """Import an MRR CSV as a whole: every row, or nothing (ImportRejected lists every bad line).

    Refused when the file holds a month already evaluated (the correction path is
    `mrr_correct`). `complete` marks every month in the file complete, so its
    scheduled evaluation can run.
    """
    with transaction.atomic():
        rows, _months = _mrr_load(lines, complete=complete, by=by, allow_evaluated=False, progress=progress)
    return rows


def _mrr_load(
    lines: Iterable[str], *, complete: bool, by: str, allow_evaluated: bool, progress: Progress | None = None
) -> tuple[int, list[dt.date]]:
    """Check the file and write it; returns (rows, months in the file).

    A clean file goes the fast way (importers.mrr_fast_import, set-based); any doubt
    rolls that back and checks the file row by row, which lists every problem.
    The fast way reports coarse phases only (reading, writing; the row count at the end).
    """

    def before_write(months: list[dt.date]) -> None:
        _mrr_months_claim(months, allow_evaluated=allow_evaluated)
        _report(progress, UploadPhase.WRITING)

    _report(progress, UploadPhase.READING)
    if not isinstance(lines, importers.TextFile):
        lines = list(lines)  # read twice when the fast way gives up
    try:
        with transaction.atomic():
            rows, months = importers.mrr_fast_import(lines, before_write=before_write)
    except importers.FullChecksNeeded:
        _report(progress, UploadPhase.CHECKING, rows_read=0)
        rows, months = _mrr_load_checked(lines, allow_evaluated=allow_evaluated, progress=progress)
    _report(progress, UploadPhase.WRITING, rows_read=rows)
    MonthCompleteness.objects.bulk_create(
        [MonthCompleteness(month=m) for m in months], ignore_conflicts=True, unique_fields=["month"]
    )
    if complete:
        mrr_months_mark_complete(months=months, by=by)
    return rows, months


def _mrr_months_claim(months: list[dt.date], *, allow_evaluated: bool) -> None:
    """Lock the file's months against their evaluation; refuse months already evaluated unless correcting."""
    for month in months:  # an evaluation of one of these months waits for the import (and vice versa)
        _advisory_lock(f"tiers:mrr-month:{month:%Y-%m}")
    evaluated = sorted(evaluated_months(f"{m:%Y-%m}" for m in months))
    if evaluated and not allow_evaluated:
        raise ImportRejected(
            [
                _(
                    "month %(month)s has already been evaluated; to import corrected MRR for it use "
                    "`%(command)s` (re-evaluates it and every later evaluated month, promotes only)"
                )
                % {"month": m, "command": CORRECTION_HINT}
                for m in evaluated
            ]
        )


def _mrr_load_checked(
    lines: Iterable[str], *, allow_evaluated: bool, progress: Progress | None = None
) -> tuple[int, list[dt.date]]:
    """Row by row: load the file into the temporary table, check every row, upsert it."""
    partners = dict(Partner.objects.values_list("partner_id", "pk"))
    importers.mrr_load_table_create()
    try:
        load = importers.mrr_load(lines, partners=partners)
        rejected = len({line for line, _problem in load.errors})
        _report(progress, UploadPhase.CHECKING, rows_read=load.rows + rejected, rows_rejected=rejected)
        if load.errors:
            raise ImportRejected([importers.line_problem(line, problem) for line, problem in load.errors])
        months = _loaded_months()
        _mrr_months_claim(months, allow_evaluated=allow_evaluated)
        _report(progress, UploadPhase.WRITING)
        try:
            importers.mrr_upsert()
        except importers.DuplicateKeys:
            raise ImportRejected(
                [importers.line_problem(line, problem) for line, problem in importers.duplicate_errors()]
            ) from None
    finally:
        importers.mrr_load_table_drop()
    return load.rows, months


def _loaded_months() -> list[dt.date]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT month FROM {importers.LOAD_TABLE} ORDER BY month")
        return [month_start(row[0]) for row in cursor.fetchall()]


@transaction.atomic
def mrr_months_mark_complete(*, months: Iterable[dt.date], by: str = "") -> list[MonthCompleteness]:
    """Mark months' MRR complete (conditional update: marking twice keeps the first who/when)."""
    months = sorted({month_start(m) for m in months})
    MonthCompleteness.objects.bulk_create(
        [MonthCompleteness(month=m) for m in months], ignore_conflicts=True, unique_fields=["month"]
    )
    MonthCompleteness.objects.filter(month__in=months, complete=False).update(
        complete=True, completed_at=timezone.now(), completed_by=by
    )
    return list(MonthCompleteness.objects.filter(month__in=months).order_by("month"))


def month_wait_reason(*, month: dt.date, now: dt.datetime) -> str | None:
    """Why the scheduled evaluation of `month` must wait, or None when its MRR is marked complete.

    Still incomplete MRR_LATE_ALERT_DAYS after the month ended → staff get one alert.
    """
    month = month_start(month)
    if MonthCompleteness.objects.filter(month=month, complete=True).exists():
        return None
    days = settings.MRR_LATE_ALERT_DAYS
    if now.date() > month_end(month) + dt.timedelta(days=days):
        _late_month_alert(month, days)
    return f"MRR for {month:%Y-%m} is not marked complete (import_mrr FILE --complete, or Django admin → MRR months)"


def _late_month_alert(month: dt.date, days: int) -> None:
    with transaction.atomic():
        MonthCompleteness.objects.get_or_create(month=month)
        if not MonthCompleteness.objects.filter(month=month, late_alert_sent_at__isnull=True).update(
            late_alert_sent_at=timezone.now()
        ):
            return  # alerted already
        jobs.email_staff(
            subject=_("MRR for %(month)s is still not complete") % {"month": f"{month:%Y-%m}"},
            body=_(
                "The MRR of %(month)s is not marked complete %(days)d days after the month ended, so the "
                "monthly evaluation of %(month)s is waiting.\n\nImport it with `import_mrr FILE --complete`, "
                "or mark the month complete in Django admin (MRR months)."
            )
            % {"month": f"{month:%Y-%m}", "days": days},
        )


# --- corrections ------------------------------------------------------------------


def mrr_correct(*, lines: Iterable[str], by: str = "") -> RunResult:
    """Import corrected MRR for evaluated months, re-evaluate them and every later evaluated month.

    Recorded in the ledger as job `mrr_correction`. A correction only promotes:
    a partner that achieves a higher tier in a corrected month gets it effective
    when the original evaluation would have given it (the 1st of the next month),
    with reason `correction` in its tier history. Nothing is demoted.
    """
    period = timezone.now().isoformat(timespec="seconds")
    outcome = jobs.job_run(job=JOB_CORRECTION, period=period, work=lambda run: _correct(lines, run, by), actor=by)
    return RunResult(run=outcome.run, ran=outcome.ran, counts=outcome.run.counts)


def _correct(lines: Iterable[str], run: JobRun, by: str) -> dict:
    """1. Import the file (marking its months complete).
    2. Re-evaluate, oldest first, every evaluated month from the first corrected one on,
       with the rule set that judged it; snapshots are replaced (their run is this one).
    3. In date order: a month's achieved tier above the tier in effect when the original
       run would have promoted → a correction change then; a later reassessment whose
       corrected outcome is higher than the tier it left → a correction change on its date.
    4. A later original change below a corrected tier is superseded (promote back on its
       date), and Partner.tier follows the history.
    """
    try:
        rows_imported, months = _mrr_load(lines, complete=True, by=by, allow_evaluated=True)
    except ImportRejected as exc:  # a bad file is a refusal (ledger: refused), not a failure
        raise CorrectionRejected(exc.errors) from None
    evaluated = sorted(evaluated_months(f"{m:%Y-%m}" for m in months))
    if not evaluated:
        return {"rows": rows_imported, "months": [], "changed": 0}
    first = parse_month(evaluated[0])
    _advisory_lock(PARTNER_TIER_LOCK)
    redo = sorted(
        p
        for p in JobRun.objects.filter(job=JOB_MONTHLY, outcome=JobOutcome.DONE).values_list("period", flat=True)
        if p >= evaluated[0]
    )
    events: list[tuple[dt.date, str, object]] = []
    for period in redo:
        month = parse_month(period)
        events.append((add_months(month, 1), "month", _month_reevaluate(month, run)))
    for day in JobRun.objects.filter(job=JOB_REASSESSMENT, outcome=JobOutcome.DONE).values_list("period", flat=True):
        on = dt.date.fromisoformat(day)
        if on > first:
            events.append((on, "reassessment", on))
    changes: list[TierChange] = []
    reason = f"MRR correction of {', '.join(evaluated)}"
    for effective_on, kind, payload in sorted(events, key=lambda e: (e[0], e[1] != "month")):
        if kind == "month":
            targets = payload
        else:
            targets = {
                pk: tier for pk, (tier, _met) in engine.reassessment_outcome(partner_ids=None, on=payload).items()
            }
        changes += _correction_promote(targets, effective_on=effective_on, run=run, note=f"{reason} ({kind})")
    touched = {c.partner_id for c in changes}
    changes += _correction_supersede(touched, since=add_months(first, 1), run=run, note=reason)
    _partner_tiers_follow_history(touched)
    return {"rows": rows_imported, "months": redo, "changed": len(touched)}


def _month_reevaluate(month: dt.date, run: JobRun) -> dict[int, str]:
    """Recompute `month` with the rule set that judged it and replace its snapshots; partner → achieved tier."""
    original = JobRun.objects.get(job=JOB_MONTHLY, period=f"{month:%Y-%m}", outcome=JobOutcome.DONE)
    rule_set = RuleSet.objects.filter(pk=original.counts.get("rule_set_id")).first() or engine.rule_set_in_force(month)
    if rule_set is None:
        raise RunRefused(f"no rule set to re-evaluate {month:%Y-%m} with")
    _snapshots_write(month, rule_set, run)
    return dict(MonthlySnapshot.objects.filter(month=month).values_list("partner_id", "achieved_tier"))


def _correction_promote(targets: dict[int, str], *, effective_on: dt.date, run: JobRun, note: str) -> list[_Change]:
    solutions = set(Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER).values_list("pk", flat=True))
    ids = [pk for pk in targets if pk in solutions]
    in_effect = _tiers_in_effect(ids, effective_on)
    ups = [
        _Change(pk, in_effect[pk], targets[pk], note)
        for pk in sorted(ids)
        if TIER_RANK[targets[pk]] > TIER_RANK[in_effect[pk]]
    ]
    _tiers_record(ups, reason=TierChange.Reason.CORRECTION, effective_on=effective_on, run=run)
    return ups


def _correction_supersede(partner_ids: set[int], *, since: dt.date, run: JobRun, note: str) -> list[_Change]:
    """An original promotion after a correction that left a partner below its corrected tier never happened
    that way: promote back to the corrected tier on the same date (corrections never demote)."""
    added: list[_Change] = []
    history = TierChange.objects.filter(partner_id__in=partner_ids, effective_on__gte=since).order_by(
        "partner_id", "effective_on", "created_at", "pk"
    )
    floor: dict[int, str] = {}
    for change in history:
        pk = change.partner_id
        if change.reason == TierChange.Reason.CORRECTION:
            floor[pk] = max(floor.get(pk, change.to_tier), change.to_tier, key=TIER_RANK.__getitem__)
        elif (
            change.reason == TierChange.Reason.PROMOTION
            and pk in floor
            and TIER_RANK[change.to_tier] < TIER_RANK[floor[pk]]
        ):
            fix = _Change(pk, change.to_tier, floor[pk], f"{note} (supersedes the promotion to {change.to_tier})")
            _tiers_record([fix], reason=TierChange.Reason.CORRECTION, effective_on=change.effective_on, run=run)
            added.append(fix)
        elif change.reason in (TierChange.Reason.REASSESSMENT, TierChange.Reason.MANUAL):
            floor.pop(pk, None)  # a reassessment or a person decides afresh
    return added


def _partner_tiers_follow_history(partner_ids: set[int]) -> None:
    """Set Partner.tier/tier_since to what the (corrected) history says is in effect now."""
    today = timezone.localdate()
    last: dict[int, tuple[str, dt.date]] = {}
    for pk, to_tier, effective_on in (
        TierChange.objects.filter(partner_id__in=partner_ids, effective_on__lte=today)
        .order_by("partner_id", "effective_on", "created_at", "pk")
        .values_list("partner_id", "to_tier", "effective_on")
    ):
        last[pk] = (to_tier, effective_on)
    for pk, (tier, since) in last.items():
        Partner.objects.filter(pk=pk).exclude(tier=tier).update(tier=tier, tier_since=since)


def partner_import(
    *, lines: Iterable[str], acting_user: User | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Upsert partners by partner_id from an import_partners CSV (all or nothing).

    New partners start at the file's tier (default solutions_partner) since
    their join date. For existing partners a tier column that differs is a
    manual tier change (audited); an absent/empty tier leaves the tier alone.
    Providers have no tier: their tier column is ignored.
    """
    acting_user_require(acting_user, "portal.add_partner")
    _report(progress, UploadPhase.CHECKING)
    rows = importers.partner_rows(lines)
    _report(progress, UploadPhase.WRITING, rows_read=len(rows))
    with transaction.atomic():
        _advisory_lock(PARTNER_TIER_LOCK)
        existing = Partner.objects.select_for_update().in_bulk([r.partner_id for r in rows], field_name="partner_id")
        new, updated, changes = [], [], []
        for row in rows:
            partner = existing.get(row.partner_id) or Partner(partner_id=row.partner_id)
            _partner_fill(partner, row)
            if partner.pk is None:
                tier = row.tier if row.kind == PartnerKind.SOLUTIONS_PARTNER and row.tier else Tier.SOLUTIONS_PARTNER
                partner.tier, partner.tier_since = (
                    tier,
                    row.joined_on if row.kind == PartnerKind.SOLUTIONS_PARTNER else None,
                )
                new.append(partner)
            else:
                updated.append(partner)
                if row.tier and row.kind == PartnerKind.SOLUTIONS_PARTNER and row.tier != partner.tier:
                    changes.append(_Change(partner.pk, partner.tier, row.tier, "import_partners"))
        Partner.objects.bulk_create(new, batch_size=BULK_BATCH)
        Partner.objects.bulk_update(updated, ["name", "kind", "country", "region", "joined_on"], batch_size=BULK_BATCH)
        _tiers_apply(
            changes, reason=TierChange.Reason.MANUAL, effective_on=timezone.localdate(), acting_user=acting_user
        )
    return {"created": len(new), "updated": len(updated), "tier_changes": len(changes)}


def _partner_fill(partner: Partner, row: importers.PartnerRow) -> None:
    partner.name = row.name
    partner.kind = row.kind
    partner.country = row.country
    partner.region = importers.region_for_country(row.country)
    partner.joined_on = row.joined_on
