"""Files staff upload in the browser (MRR, partners, rule sets), imported by the worker with progress.

The file is stored in the database (`Upload.content`), so the web process that
receives it and the worker that imports it may run on different machines. The
worker imports it through the same services as the management commands
(`tiers.services`), so a refused file writes nothing and lists every problem
with its line number. `Upload.status` changes here only, each time with a
conditional update (queued → running → done / refused / failed).

Progress is written where the polling page sees it while the import's own
transaction is still open: on PostgreSQL through a connection of its own (a
short-lived thread has its own connection); SQLite, which allows one writer,
writes it in line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import UPLOAD_FILES, acting_user_require
from portal.errors import PortalError
from portal.models import User
from portal.months import month_start
from tiers import importers, services
from tiers.importers import ImportRejected, TextFile
from tiers.models import MonthCompleteness, Upload, UploadKind, UploadPhase, UploadStatus

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # a year of MRR for every partner is well under this
STALE_AFTER = dt.timedelta(hours=1)  # longer than any import takes
ROWS_REPORT_EVERY = 0.5  # seconds between two row-count reports while reading

# What each kind needs besides UPLOAD_FILES: the same permission its service checks.
KIND_PERMS: dict[str, tuple[str, ...]] = {
    UploadKind.MRR: (UPLOAD_FILES,),
    UploadKind.PARTNERS: (UPLOAD_FILES, "portal.add_partner"),
    UploadKind.RULE_SET: (UPLOAD_FILES, "tiers.add_ruleset"),
}


class UploadRefused(PortalError):
    """An upload staff may not make, or an empty or oversized file (nothing stored)."""

    code = "upload_refused"


def upload_kinds_for(user: User) -> list[str]:
    """The kinds of file `user` may upload (the form offers only these)."""
    return [kind for kind, perms in KIND_PERMS.items() if all(user.has_perm(perm) for perm in perms)]


# --- storing an upload ---------------------------------------------------------


def upload_create(
    *, kind: str, file: UploadedFile, acting_user: User, complete: bool = False, draft: bool = False
) -> Upload:
    """Store the file in the database and send its import to the worker (after commit).

    1. Refuse a kind the user may not import, an empty file, or one over MAX_UPLOAD_BYTES.
    2. Keep the bytes, name, size and SHA-256, and the uploader's language (the problems are written in it).
    3. Enqueue `tiers.tasks.run_upload` once the row is committed.
    """
    for perm in KIND_PERMS[kind]:
        acting_user_require(acting_user, perm)
    if file.size is None or file.size == 0:
        raise UploadRefused(_("The file is empty."))
    if file.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            _("The file is larger than %(mb)d MB: import it with the management command instead.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    content = b"".join(file.chunks())
    upload = Upload.objects.create(
        kind=kind,
        content=content,
        original_name=Path(file.name or "upload").name[:255],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        complete=complete and kind == UploadKind.MRR,
        draft=draft and kind == UploadKind.RULE_SET,
        language=translation.get_language() or "",
        uploaded_by=acting_user,
    )
    transaction.on_commit(lambda: _enqueue(upload.pk))
    return upload


def _enqueue(upload_id: int) -> None:
    from tiers.tasks import run_upload  # tasks import this module

    run_upload.delay(upload_id)


# --- the worker's import ---------------------------------------------------------


def upload_run(*, upload_id: int) -> Upload:
    """Import a queued upload (the worker's task). A second run of the same upload changes nothing.

    1. Claim it: queued → running (a duplicated task finds it running or finished). A run whose
       worker died (redelivered after STALE_AFTER) is claimed again: the imports are all or nothing.
    2. Write its bytes to a temporary file of the worker, decode them as the commands do
       (UTF-8, else CP932/EUC-JP when recognised) and import them through the service.
    3. Record the outcome: done with the service's counts, refused with every problem
       (the service wrote nothing), or failed (an error of ours; logged).
    """
    now = timezone.now()
    claimable = Q(status=UploadStatus.QUEUED) | Q(status=UploadStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    claimed = Upload.objects.filter(claimable, pk=upload_id).update(
        status=UploadStatus.RUNNING, phase=UploadPhase.READING, started_at=now
    )
    upload = Upload.objects.select_related("uploaded_by").get(pk=upload_id)
    if not claimed:
        return upload
    report = _ProgressReport(upload.pk)
    with translation.override(upload.language or None), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(bytes(upload.content))
        try:
            result = _import(upload, path, report)
        except ImportRejected as exc:
            return _finish(upload, UploadStatus.REFUSED, report, errors=exc.errors)
        except (services.TierError, PortalError) as exc:
            return _finish(upload, UploadStatus.REFUSED, report, errors=[str(exc)])
        except PermissionDenied as exc:  # PermissionRefused: the uploader lost the right meanwhile
            return _finish(upload, UploadStatus.REFUSED, report, errors=[str(exc)])
        except Exception:
            log.exception("upload %s failed", upload.pk)
            return _finish(
                upload, UploadStatus.FAILED, report, errors=[_("The import failed unexpectedly; nothing was written.")]
            )
    return _finish(upload, UploadStatus.DONE, report, result=result)


def _import(upload: Upload, path: Path, report: _ProgressReport) -> dict:
    """The same decoding and services as import_mrr / import_partners / import_rules."""
    encoding = importers.encoding_for(path, None)
    user = upload.uploaded_by
    with _CountingTextFile(path, encoding, report) as lines:
        if upload.kind == UploadKind.MRR:
            # Marked complete by the uploader, as the admin's action records it (their email).
            rows = services.mrr_import(lines=lines, complete=upload.complete, by=user.email, progress=report)
            return {"rows": rows, "complete": upload.complete}
        if upload.kind == UploadKind.PARTNERS:
            return services.partner_import(lines=lines, acting_user=user, progress=report)
        report(UploadPhase.READING)
        data = importers.rule_set_document(lines.read())
        rule_set = services.rule_set_import(data=data, draft=upload.draft, acting_user=user, progress=report)
        return {"rule_set": rule_set.name, "rule_set_id": rule_set.pk, "status": rule_set.status}


def _finish(
    upload: Upload,
    status: str,
    report: _ProgressReport,
    *,
    errors: list[str] | None = None,
    result: dict | None = None,
) -> Upload:
    errors = errors or []
    rows_read = report.counts.get("rows_read", 0)
    if status == UploadStatus.DONE and result and "rows" in result:
        rows_read = result["rows"]
    elif status == UploadStatus.DONE and result and "created" in result:
        rows_read = result["created"] + result["updated"]
    rejected = report.counts.get("rows_rejected", 0) or (len(errors) if status == UploadStatus.REFUSED else 0)
    Upload.objects.filter(pk=upload.pk, status=UploadStatus.RUNNING).update(
        status=status,
        phase=UploadPhase.FINISHED,
        rows_read=rows_read,
        rows_rejected=rejected,
        errors=errors,
        result=result or {},
        finished_at=timezone.now(),
    )
    upload.refresh_from_db()
    return upload


class _ProgressReport:
    """The services' `progress` callback for one upload: phase and counts onto its row, as they come."""

    def __init__(self, upload_id: int) -> None:
        self.upload_id = upload_id
        self.counts: dict[str, int] = {}
        self.phase = ""
        self._last_rows_write = 0.0

    def __call__(self, phase: str, *, rows_read: int | None = None, rows_rejected: int | None = None) -> None:
        fields: dict[str, object] = {"phase": phase}
        if rows_read is not None:
            fields["rows_read"] = self.counts["rows_read"] = rows_read
        if rows_rejected is not None:
            fields["rows_rejected"] = self.counts["rows_rejected"] = rows_rejected
        self.phase = phase
        _write_apart(self.upload_id, fields)

    def rows(self, rows_read: int) -> None:
        """Rows read so far (from the file reader): written at most every ROWS_REPORT_EVERY seconds."""
        self.counts["rows_read"] = rows_read
        now = time.monotonic()
        if now - self._last_rows_write >= ROWS_REPORT_EVERY:
            self._last_rows_write = now
            _write_apart(self.upload_id, {"rows_read": rows_read})


def _write_apart(upload_id: int, fields: dict) -> None:
    """Update the upload's row outside the import's open transaction, so the page sees it now."""

    def write() -> None:
        Upload.objects.filter(pk=upload_id, status=UploadStatus.RUNNING).update(**fields)

    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        write()
        return

    def write_in_thread() -> None:
        try:
            write()
        except Exception:  # progress is a courtesy: never let it break the import
            log.warning("progress of upload %s not written", upload_id, exc_info=True)
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=write_in_thread, name=f"upload-{upload_id}-progress")
    thread.start()
    thread.join()


class _CountingTextFile(TextFile):
    """The commands' TextFile, telling the progress report how many rows it has read (header excluded)."""

    def __init__(self, path: Path, encoding: str, report: _ProgressReport) -> None:
        super().__init__(path, encoding)
        self.report = report

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(super().__iter__()):  # line 1, the header, is number 0
            if number % 1000 == 0:
                self.report.rows(number)
            yield line

    def chunks(self) -> Iterator[str]:
        lines = 0
        for chunk in super().chunks():
            lines += chunk.count("\n")
            self.report.rows(max(lines - 1, 0))
            yield chunk


# --- a month's MRR complete --------------------------------------------------------


def upload_month_complete(*, month: dt.date, acting_user: User) -> MonthCompleteness:
    """Staff mark a month's MRR complete from the upload page (the service `import_mrr --complete` uses)."""
    acting_user_require(acting_user, UPLOAD_FILES)
    acting_user_require(acting_user, "tiers.change_monthcompleteness")
    [marked] = services.mrr_months_mark_complete(months=[month_start(month)], by=acting_user.email)
    return marked


def uploads_recent() -> QuerySet[Upload]:
    """The upload record staff read, newest first (every upload: it is the programme's log); files not loaded."""
    return Upload.objects.select_related("uploaded_by").defer("content").order_by("-uploaded_at", "-pk")


__all__ = [
    "KIND_PERMS",
    "UploadRefused",
    "upload_create",
    "upload_kinds_for",
    "upload_month_complete",
    "upload_run",
    "uploads_recent",
]
