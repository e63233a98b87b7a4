"""Shared helpers of the tier commands: open files, turn refusals into CommandError."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError

from tiers.importers import ImportRejected
from tiers.services import TierError


@contextmanager
def refusals():
    """ImportRejected / TierError → CommandError (stderr, non-zero exit); nothing was written."""
    try:
        yield
    except ImportRejected as exc:
        raise CommandError("rejected, nothing written:\n" + "\n".join(exc.errors)) from None
    except TierError as exc:
        raise CommandError(f"refused, nothing written: {exc}") from None


def open_text(path: str):
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"no such file: {path}")
    try:
        return file.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
