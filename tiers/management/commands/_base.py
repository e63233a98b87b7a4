"""Shared helpers of the tier commands: open and decode input files, turn refusals into CommandError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from tiers.importers import ImportRejected, TextFile, encoding_for
from tiers.services import TierError


def add_file_arguments(parser: CommandParser) -> None:
    """PATH and --encoding, the same for every import command."""
    parser.add_argument("path")
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help="the file's encoding, e.g. cp932 or cp1252 (default: UTF-8 with or without BOM, "
        "else CP932/Shift-JIS or EUC-JP when recognised)",
    )


@contextmanager
def refusals(path: str | None = None) -> Iterator[None]:
    """ImportRejected / TierError → CommandError (stderr, non-zero exit); nothing was written.

    With `path`, every problem is prefixed with the file's name.
    """
    prefix = f"{path}: " if path else ""
    try:
        yield
    except ImportRejected as exc:
        lines = "\n".join(prefix + error for error in exc.errors)
        raise CommandError(_("rejected, nothing written:") + "\n" + lines) from None
    except TierError as exc:
        raise CommandError(_("refused, nothing written: %(reason)s") % {"reason": exc}) from None


@contextmanager
def open_text(path: str, encoding: str | None = None) -> Iterator[TextFile]:
    """The file's decoded lines (see `tiers.importers.TextFile`); undecodable input is rejected
    naming the file, line and column, never a raw UnicodeDecodeError."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(_("no such file: %(path)s") % {"path": path})
    try:
        with refusals(path):
            chosen = encoding_for(file, encoding)
        with TextFile(file, chosen) as lines:
            yield lines
    except OSError as exc:
        raise CommandError(_("cannot read %(path)s: %(problem)s") % {"path": path, "problem": exc}) from None
