"""Japanese catalogues: regenerate, compile, and check they are complete.

Each app keeps its own catalogue in `<app>/locale/`; the project catalogue in
`locale/` covers `portal/` and `templates/`. Usage:

    python scripts/i18n.py make      # makemessages for every catalogue
    python scripts/i18n.py compile   # compilemessages
    python scripts/i18n.py check     # make, then fail on fuzzy or missing ja entries, then compile
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

APPS = ["tiers", "registrations", "community", "enablement", "directory", "api", "demo"]
IGNORE = [".venv", "staticfiles", "bench", "tests", "*/tests", "node_modules", "scripts", *APPS]


def _manage(*args: str, cwd: Path) -> None:
    """Run a management command with `cwd` as working directory.

    Django (and with it the Celery app, which puts the working directory on
    sys.path) is set up once from the project root, so an app's `demo.py` can
    never shadow the project's `demo` package.
    """
    here = Path.cwd()
    os.chdir(cwd)
    try:
        call_command(*args)
    finally:
        os.chdir(here)


def catalogue_dirs() -> list[Path]:
    return [ROOT] + [ROOT / app for app in APPS if (ROOT / app / "locale").is_dir()]


def make() -> None:
    for directory in catalogue_dirs():
        ignore = [f"--ignore={pattern}" for pattern in (IGNORE if directory == ROOT else ["tests", "migrations"])]
        _manage("makemessages", "-l", "ja", "--no-location", "--no-obsolete", *ignore, cwd=directory)
        _manage("makemessages", "-d", "djangojs", "-l", "ja", "--no-location", "--no-obsolete", *ignore, cwd=directory)


def compile_all() -> None:
    for directory in catalogue_dirs():
        ignore = [f"--ignore={pattern}" for pattern in IGNORE] if directory == ROOT else []
        _manage("compilemessages", "-l", "ja", *ignore, cwd=directory)


def _entries(po_text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", po_text) if "msgid" in block]


def problems(po_path: Path) -> list[str]:
    """Fuzzy or untranslated entries of one catalogue (the header excluded)."""
    found = []
    for block in _entries(po_path.read_text(encoding="utf-8")):
        if "Project-Id-Version" in block:
            continue
        msgid = re.search(r'^msgid "(.*)"((?:\n".*")*)', block, re.MULTILINE)
        label = (msgid.group(1) + msgid.group(2).replace('\n"', "").replace('"', "")) if msgid else block[:60]
        if re.search(r"^#,.*\bfuzzy\b", block, re.MULTILINE):
            found.append(f"{po_path.relative_to(ROOT)}: fuzzy: {label}")
        for msgstr in re.finditer(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.MULTILINE):
            if msgstr.group(1) == "" and not msgstr.group(2).strip():
                found.append(f"{po_path.relative_to(ROOT)}: missing: {label}")
                break
    return found


def check() -> int:
    make()
    found = []
    for directory in catalogue_dirs():
        for po in sorted((directory / "locale" / "ja" / "LC_MESSAGES").glob("*.po")):
            found.extend(problems(po))
    if found:
        print("Japanese catalogue incomplete:", *found, sep="\n  ", file=sys.stderr)
        return 1
    compile_all()
    print("Japanese catalogues complete and compiled.")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "make":
        make()
    elif command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"unknown command {command!r}; use make, compile or check")
