"""What a person reads on a page, and which of it is English when it should be Japanese.

Used by the Japanese UI check (`tests/test_japanese_ui.py`): catalogue completeness
is not enough, because strings built in Python, model choices, admin app names,
country names and dates reach the page without passing through a template tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# Attributes whose value a person reads or hears (tooltips, placeholders, screen readers,
# confirmation dialogues of htmx, button captions).
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "aria-description", "alt", "label", "hx-confirm")
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
# Scripts and styles are not read; code samples (an HTTP header, a token) are not UI text either.
SKIPPED_ELEMENTS = {"script", "style", "code", "kbd", "samp"}
# Django's admin writes the Python value as the alt text of its boolean icons (a known Django limitation).
ADMIN_BOOLEAN_ALT = {"True", "False", "None"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """Collects text nodes and read attributes, skipping scripts, styles and anything marked `lang` ≠ ja."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        # One entry per open element: True when its content is not read as UI text.
        self._skip_stack: list[bool] = []

    @property
    def _skipping(self) -> bool:
        return any(self._skip_stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        lang = values.get("lang", "")
        # Text explicitly marked as another language (e.g. "English" in the language menu) is not UI text.
        foreign = bool(lang) and not lang.startswith("ja") and tag != "html"
        if not self._skipping and not foreign:
            for name in READ_ATTRIBUTES:
                if (
                    name == "alt"
                    and values.get("alt") in ADMIN_BOOLEAN_ALT
                    and "admin/img/icon-" in values.get("src", "")
                ):
                    continue
                if values.get(name):
                    self.pieces.append(values[name])
            if tag == "input" and values.get("type", "text") in BUTTON_INPUT_TYPES and values.get("value"):
                self.pieces.append(values["value"])
        if tag not in VOID_ELEMENTS:
            self._skip_stack.append(tag in SKIPPED_ELEMENTS or foreign)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self._skip_stack:
            self._skip_stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS and self._skip_stack:
            self._skip_stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.pieces.append(data)


def visible_text(html: str) -> list[str]:
    """Every text a person reads on the page, one piece per text node or attribute, whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(piece.split()) for piece in parser.pieces if piece.strip()]


# What may legitimately stay in Latin letters on a Japanese page. Kept small and explicit.
ALLOWED_PHRASES = (
    # Product and programme names (HubSpot Japan keeps them in English).
    "Marketing Hub",
    "Sales Hub",
    "Service Hub",
    "CMS Hub",
    "Operations Hub",
    "CRM Suite",
    "Black@INBOUND",
    "DEI&B",
    "Global HEART",
    "Global Partner of the Year",  # the award keeps its name in the Japanese announcement
    "Customer First",
    # The currency prefix of US dollar amounts (money formatting, as in US$20,000).
    "US$",
)
ALLOWED_WORDS = frozenset(
    {
        # Tier names (badges keep the programme's names).
        "Gold",
        "Platinum",
        "Diamond",
        "Elite",
        # Programme, product and technical names.
        "HubSpot",
        "Django",
        "OpenAPI",
        "SHA",
        # Protocol names staff see on login records.
        "GET",
        "POST",
        "IP",
        "HTTP",
        "localhost",  # the literal a partner may type, quoted in an error message
        # Key names in Django's own Japanese help text for multiple selects.
        "Control",
        "Command",
        "Mac",
        "md5",  # the password hash algorithm, shown to staff in the admin
        "HUG",
        "PUG",
        "CAM",
        "API",
        "CSV",
        "Excel",  # the spreadsheet's product name, as Japanese software writes it ("Excelをエクスポート")
        "JSON",  # the rule-set file's format, as CSV is the MRR file's
        "MRR",
        "CRM",
        "CMS",
        "ABM",
        "PSO",
        "ID",
        "URL",
        "Accreditation",  # SPEC §8: the programme's own word in Japanese too.
        # Currency codes of the programme's coefficients.
        "USD",
        "AUD",
        "CAD",
        "EUR",
        "GBP",
        "JPY",
        "SGD",
        "ZAR",
        "COP",
        # Time zones and the year half labels used in cohort names.
        "JST",
        "UTC",
        # Solutions Directory: words Japanese writes in Latin letters (Webサイト, SEO, 小売・EC) and logo formats.
        "Web",
        "SEO",
        "EC",
        "PNG",
        "JPEG",
        "WebP",
        "MB",
    }
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|/[\w/.-]+/")
# A domain may be followed directly by Japanese text (例え.jpを選択): no \b after the top-level domain.
_DOMAIN = re.compile(r"(?<![\w@])(?:[\w-]+\.)+(?:xn--[a-z0-9-]+|[a-z]{2,})(?![a-z0-9-])")
_PARTNER_ID = re.compile(r"\b[A-Z]\d{4,}\b")
# Password hash summaries, token hashes and API token prefixes (pp_…).
# Numeric codes: ISO timestamps in tooltips and the quarter code staff type (2026-Q3).
_CODES = re.compile(r"\b\d{4}-\d{2}-\d{2}T[\d:.+-]+|\b\d{4}-Q[1-4](?![A-Za-z0-9])")
# IANA time-zone names (Asia/Tokyo), quoted as examples of what to type.
_ZONE = re.compile(
    r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Za-z_]+(?:/[A-Za-z_]+)?"
)
_MASKED = re.compile(r"\S*\*{6,}\S*|\b[0-9a-f]{32,}\b|\bpp_[\w-]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’]*(?:-[A-Za-z]+)*")


def english_in(text: str, *, names: Iterable[str] = ()) -> list[str]:
    """The English words left in `text` once names, addresses, numbers and allowed terms are taken out."""
    for name in sorted(names, key=len, reverse=True):
        if name:
            text = text.replace(name, " ")
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    for pattern in (_EMAIL, _ZONE, _URL, _DOMAIN, _PARTNER_ID, _MASKED, _CODES):
        text = pattern.sub(" ", text)
    return [word for word in _WORD.findall(text) if word not in ALLOWED_WORDS and len(word) > 1]


def english_pieces(html: str, *, names: Iterable[str] = ()) -> list[str]:
    """The visible pieces of a page that still contain English words (deduplicated, page order)."""
    names = list(names)
    found: list[str] = []
    for piece in visible_text(html):
        if english_in(piece, names=names) and piece not in found:
            found.append(piece)
    return found
