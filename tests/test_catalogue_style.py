"""Every Japanese catalogue follows docs/glossary.md: one word per concept, no machine-like spacing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(p for p in ROOT.glob("**/locale/ja/LC_MESSAGES/*.po") if ".venv" not in p.parts)

# Variants the glossary rules out, and what to write instead.
FORBIDDEN = {
    "コミュニティー": "コミュニティ",
    "あなたの組織": "貴社",
    "国家": "国・地域",
}
JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff々ー]"
LATIN_OR_DIGIT = r"[A-Za-z0-9]"
# A space between Japanese and Latin letters, digits or a placeholder (%(n)s, %s), either way round.
SPACED = re.compile(rf"{JAPANESE} (?:{LATIN_OR_DIGIT}|%)|(?:{LATIN_OR_DIGIT}|%\(\w+\)[sd]|%[sd]) {JAPANESE}")
# Words that were wrong before: (msgid, msgctxt) → what the msgstr must contain.
REQUIRED = {("Country", None): "国・地域", ("HQ country", None): "国・地域", ("Submitted", None): "申請済み"}


def _entries(path: Path) -> list[tuple[str | None, str, str]]:
    """(msgctxt, msgid, msgstr) of each entry, plural forms joined, header left out."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        if block.lstrip().startswith("#~"):
            continue
        context = re.search(r'^msgctxt "(.*)"', block, re.MULTILINE)
        msgid = re.search(r'^msgid "(.*)"((?:\n".*")*)', block, re.MULTILINE)
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.MULTILINE)
        if not msgid or not strings:
            continue
        text = msgid.group(1) + msgid.group(2).replace('"\n"', "").replace('\n"', "").replace('"', "")
        if not text:
            continue
        translated = " / ".join(a + b.replace('\n"', "").replace('"', "") for a, b in strings)
        entries.append((context.group(1) if context else None, text, translated))
    return entries


def test_there_are_catalogues_to_check():
    assert len(CATALOGUES) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_follows_the_glossary(path):
    problems = []
    for context, msgid, msgstr in _entries(path):
        for wrong, right in FORBIDDEN.items():
            if wrong in msgstr:
                problems.append(f"{msgid!r}: {msgstr!r} uses {wrong}, write {right}")
        if SPACED.search(msgstr):
            problems.append(f"{msgid!r}: {msgstr!r} has a space between Japanese and Latin text or a number")
        wanted = REQUIRED.get((msgid, context))
        if wanted and wanted not in msgstr:
            problems.append(f"{msgid!r}: {msgstr!r} should be {wanted}")
    assert not problems, "\n".join(problems)


def test_the_style_check_catches_what_it_should():
    assert SPACED.search("Gold は 15 件です。")
    assert SPACED.search("2025 年")
    assert SPACED.search("%(count)s 件")
    assert not SPACED.search("Goldは15件です。")
    assert not SPACED.search("Marketing Hub、Sales Hub")
