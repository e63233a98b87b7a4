"""Writes of the tier engine: imports, rule set publishing, monthly runs, reassessments, manual tiers.

`Partner.tier` / `Partner.tier_since` change here only, in `_tiers_apply`,
always with a TierChange row and under the `tiers:partner-tier` lock. Every
run takes a lock on its (job, period) and writes its JobRun ledger row in the
same transaction as its results, so a refused or failed run writes nothing
and a second run of a finished period changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Partner, PartnerKind, Tier, User
from tiers import engine, importers
from tiers.engine import TIER_RANK
from tiers.importers import ImportRejected, RuleSetSpec
from tiers.models import (
    CurrencyCoefficient,
    JobRun,
    MonthlySnapshot,
    RuleSet,
    RuleSetStatus,
    TierChange,
    TierRequirement,
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


class TierError(Exception):
    """A request the tier engine refuses (the message says why)."""


class RunRefused(TierError):
    """A monthly run or reassessment that cannot run; nothing was written."""


@dataclass
class RunResult:
    run: JobRun
    ran: bool  # False: the period was already finished, nothing changed
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


def _ledger_finished(job: str, period: str) -> JobRun | None:
    _advisory_lock(f"tiers:{job}:{period}")
    return JobRun.objects.select_for_update().filter(job=job, period=period, status=JobRun.Status.FINISHED).first()


def _ledger_start(job: str, period: str, rule_set: RuleSet | None = None) -> JobRun:
    """Record the run as started; refuse when another run finished the period meanwhile.

    The unique (job, period) row is the lock of last resort: on SQLite (no
    advisory locks) a concurrent second run either waits for the first to
    commit and then finds its finished row here, or fails with "database is
    locked" — it never runs the period twice.
    """
    run, created = JobRun.objects.select_for_update().get_or_create(
        job=job, period=period, defaults={"started_at": timezone.now(), "rule_set": rule_set}
    )
    if not created:
        if run.status == JobRun.Status.FINISHED:
            raise RunRefused(f"{job} {period} has already run (run {run.pk})")
        # A leftover unfinished row (e.g. edited by hand) is taken over.
        run.status, run.started_at, run.rule_set = JobRun.Status.RUNNING, timezone.now(), rule_set
        run.save(update_fields=["status", "started_at", "rule_set"])
    return run


def _ledger_finish(run: JobRun, counts: dict) -> None:
    run.status = JobRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.counts = counts
    run.save(update_fields=["status", "finished_at", "counts"])


# --- the one writer of Partner.tier -------------------------------------------


@dataclass(frozen=True)
class _Change:
    partner_id: int
    from_tier: str
    to_tier: str
    note: str = ""


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
    groups: dict[tuple[str, str], list[int]] = {}
    for c in changes:
        groups.setdefault((c.from_tier, c.to_tier), []).append(c.partner_id)
    for (from_tier, to_tier), ids in groups.items():
        for start in range(0, len(ids), BULK_BATCH):
            chunk = ids[start : start + BULK_BATCH]
            updated = Partner.objects.filter(pk__in=chunk, tier=from_tier).update(tier=to_tier, tier_since=effective_on)
            if updated != len(chunk):
                raise TierError("a partner's tier changed during the run; nothing was written, run it again")


def tier_set_manually(
    *, partner: Partner, tier: str, acting_user: User | None, note: str = "", effective_on: dt.date | None = None
) -> TierChange | None:
    """Programme staff set a partner's tier by hand (audited). Returns None when nothing changes."""
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


SNAPSHOT_COLUMNS = [
    "partner_id",
    "month",
    "rule_set_id",
    "sales_points",
    "managed_points",
    "points",
    "sold_mrr_usd",
    "managed_mrr_usd",
    "customer_count",
    "achieved_tier",
    "run_id",
]


def _snapshots_write(month: dt.date, rule_set: RuleSet, run: JobRun, rows: list[engine.MonthRow]) -> None:
    MonthlySnapshot.objects.filter(month=month).delete()  # only leftovers of a hand-deleted ledger row
    _insert_rows(
        MonthlySnapshot,
        SNAPSHOT_COLUMNS,
        [
            (
                row.partner_id,
                month,
                rule_set.pk,
                row.sales_points,
                row.managed_points,
                row.points,
                row.sold_mrr_usd,
                row.managed_mrr_usd,
                row.customer_count,
                row.achieved_tier,
                run.pk,
            )
            for row in rows
        ],
    )


def month_evaluate(*, month: dt.date) -> RunResult:
    """Evaluate every solutions partner for `month` and apply promotions.

    1. Lock (job, period); a finished run of the month → return it, change nothing.
    2. Refuse (writing nothing) when no published rule set is in force on the
       month's last day, or an MRR currency has no coefficient in it.
    3. Compute every partner's month set-based (engine.compute_month) and
       write the snapshots in bulk.
    4. Promote partners whose achieved tier is above their current tier,
       effective the first day of the next month. Never demote.
    """
    month = engine.month_start(month)
    period = f"{month:%Y-%m}"
    with transaction.atomic():
        done = _ledger_finished(JobRun.Job.MONTHLY, period)
        if done is not None:
            return RunResult(run=done, ran=False, counts=done.counts)
        rule_set = engine.rule_set_in_force(month)
        if rule_set is None:
            raise RunRefused(f"no published rule set is in force for {period}")
        # Row lock: a concurrent re-import of this rule set waits, then sees it has judged a month.
        list(RuleSet.objects.select_for_update().filter(pk=rule_set.pk).values_list("pk", flat=True))
        _advisory_lock(PARTNER_TIER_LOCK)
        run = _ledger_start(JobRun.Job.MONTHLY, period, rule_set)
        try:
            rows = engine.compute_month(month=month, rule_set=rule_set)
        except engine.MissingCoefficient as exc:  # rolls back the ledger row: nothing written
            raise RunRefused(
                f"rule set {rule_set.name!r} has no coefficient for: {', '.join(exc.currencies)}"
            ) from None
        _snapshots_write(month, rule_set, run, rows)
        promotions = _promotions(rows)
        _tiers_apply(promotions, reason=TierChange.Reason.PROMOTION, effective_on=engine.add_months(month, 1), run=run)
        counts = {"partners": len(rows), "promoted": len(promotions), "rule_set": rule_set.name}
        _ledger_finish(run, counts)
    return RunResult(run=run, ran=True, counts=counts)


def _promotions(rows: list[engine.MonthRow]) -> list[_Change]:
    current = dict(Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER).values_list("pk", "tier"))
    return [
        _Change(row.partner_id, current[row.partner_id], row.achieved_tier)
        for row in rows
        if row.partner_id in current and TIER_RANK[row.achieved_tier] > TIER_RANK[current[row.partner_id]]
    ]


# --- reassessment ------------------------------------------------------------


def reassessment_run(*, on: dt.date) -> RunResult:
    """The semiannual reassessment as of `on` (normally 15 January / 15 July).

    1. Lock (job, date); a finished reassessment of that date → change nothing.
    2. Refuse, naming them, when any of the six months before is not evaluated.
    3. New tier = highest tier achieved in those months (each judged by its own
       rule set, as stored in its snapshot); up or down any number of steps,
       effective on `on`.
    """
    period = on.isoformat()
    with transaction.atomic():
        done = _ledger_finished(JobRun.Job.REASSESSMENT, period)
        if done is not None:
            return RunResult(run=done, ran=False, counts=done.counts)
        months = [f"{m:%Y-%m}" for m in engine.reassessment_months(on)]
        evaluated = set(
            JobRun.objects.filter(job=JobRun.Job.MONTHLY, status=JobRun.Status.FINISHED, period__in=months).values_list(
                "period", flat=True
            )
        )
        missing = [m for m in months if m not in evaluated]
        if missing:
            raise RunRefused(f"months not evaluated yet: {', '.join(missing)}")
        _advisory_lock(PARTNER_TIER_LOCK)
        run = _ledger_start(JobRun.Job.REASSESSMENT, period)
        outcome = engine.reassessment_outcome(partner_ids=None, on=on)
        current = dict(Partner.objects.filter(kind=PartnerKind.SOLUTIONS_PARTNER).values_list("pk", "tier"))
        changes = [
            # No note: the dashboard explains a reassessment from its window and snapshots, in the reader's language.
            _Change(pk, current[pk], tier)
            for pk, (tier, _met) in sorted(outcome.items())
            if pk in current and current[pk] != tier
        ]
        _tiers_apply(changes, reason=TierChange.Reason.REASSESSMENT, effective_on=on, run=run)
        ups = sum(1 for c in changes if TIER_RANK[c.to_tier] > TIER_RANK[c.from_tier])
        counts = {"partners": len(outcome), "changed": len(changes), "up": ups, "down": len(changes) - ups}
        _ledger_finish(run, counts)
    return RunResult(run=run, ran=True, counts=counts)


# --- rule sets -----------------------------------------------------------------


def rule_set_import(*, data: object, draft: bool = False, acting_user: User | None = None) -> RuleSet:
    """Create a rule set from its JSON document, or replace an unused one of the same name.

    Published unless `draft`. ImportRejected (nothing written) on any invalid
    value or when the named rule set has already judged a month.
    """
    spec = importers.rule_set_spec(data)
    with transaction.atomic():
        _advisory_lock("tiers:rule-sets")
        rule_set = RuleSet.objects.select_for_update().filter(name=spec.name).first()
        if rule_set is not None and rule_set_has_judged(rule_set):
            raise ImportRejected([f"rule set {spec.name!r} has already judged a month and cannot be changed"])
        if rule_set is None:
            rule_set = RuleSet(name=spec.name)
        _rule_set_fill(rule_set, spec, draft=draft)
    return rule_set


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
    if not rule_set.requirements.exists() or not rule_set.coefficients.exists():
        raise TierError(
            _("rule set %(name)s needs coefficients and tier requirements before publishing")
            % {"name": repr(rule_set.name)}
        )
    RuleSet.objects.filter(pk=rule_set.pk, status=RuleSetStatus.DRAFT).update(
        status=RuleSetStatus.PUBLISHED, published_at=timezone.now()
    )
    rule_set.refresh_from_db(fields=["status", "published_at"])
    return rule_set


def rule_set_unpublish(*, rule_set: RuleSet, acting_user: User | None = None) -> RuleSet:
    """Back to draft, only while it has judged no month."""
    with transaction.atomic():
        if rule_set_has_judged(rule_set):
            raise TierError(_("rule set %(name)s has judged a month and cannot change") % {"name": repr(rule_set.name)})
        RuleSet.objects.filter(pk=rule_set.pk).update(status=RuleSetStatus.DRAFT, published_at=None)
    rule_set.refresh_from_db(fields=["status", "published_at"])
    return rule_set


# --- imports -------------------------------------------------------------------


def mrr_import(*, lines: Iterable[str]) -> int:
    """Import an MRR CSV as a whole: every row, or nothing (ImportRejected lists every bad line)."""
    with transaction.atomic():
        partners = dict(Partner.objects.values_list("partner_id", "pk"))
        importers.mrr_load_table_create()
        try:
            load = importers.mrr_load(lines, partners=partners)
            if load.errors:
                raise ImportRejected([f"line {line}: {problem}" for line, problem in load.errors])
            try:
                importers.mrr_upsert()
            except importers.DuplicateKeys:
                raise ImportRejected(
                    [f"line {line}: {problem}" for line, problem in importers.duplicate_errors()]
                ) from None
        finally:
            importers.mrr_load_table_drop()
    return load.rows


def partner_import(*, lines: Iterable[str], acting_user: User | None = None) -> dict[str, int]:
    """Upsert partners by partner_id from an import_partners CSV (all or nothing).

    New partners start at the file's tier (default solutions_partner) since
    their join date. For existing partners a tier column that differs is a
    manual tier change (audited); an absent/empty tier leaves the tier alone.
    Providers have no tier: their tier column is ignored.
    """
    rows = importers.partner_rows(lines)
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
