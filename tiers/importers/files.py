"""Shared reading of operations files: encodings, decoded lines (TextFile), line-numbered problems.

Every importer (partners, rule sets, MRR) rejects a file as a whole with
`ImportRejected`, listing every problem with its line number.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

import charset_normalizer
from django.utils.translation import gettext as _
from django_countries import countries

from portal.errors import PortalError

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
        self._file.seek(0)  # each iteration reads the file from its start (the MRR import may read it twice)
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

    def chunks(self) -> Iterator[str]:
        """The same text as the lines, in blocks of whole lines (about CHUNK_BYTES each): decoded and
        checked a block at a time; a block with a NUL or undecodable bytes is read again line by line,
        which rejects the file with the same line and column as iterating would."""
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        self._file.seek(0)
        rest = b""
        first = True
        while True:
            block = self._file.read(CHUNK_BYTES)
            data = rest + block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            data, rest = data[:cut], data[cut:]
            if not data:
                if not block:
                    return
                continue
            try:
                if b"\x00" in data:
                    raise UnicodeError
                text = data.decode(encoding)
            except UnicodeError:
                for _line in self:  # raises ImportRejected naming the line and column
                    pass
                raise  # not reached: the line-by-line read finds the same problem
            if first and text.startswith("\ufeff"):
                text = text[1:]
            first = False
            yield text


def text_chunks(lines: Iterable[str], *, lines_per_chunk: int = 5000) -> Iterator[str]:
    """Blocks of whole lines from a TextFile (see `TextFile.chunks`) or any iterable of lines; a line
    given without its line ending gets one (as csv.reader reads each item as one line)."""
    if isinstance(lines, TextFile):
        yield from lines.chunks()
        return
    batch: list[str] = []
    for line in lines:
        batch.append(line if line.endswith("\n") else line + "\n")
        if len(batch) >= lines_per_chunk:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def line_problem(line: int, problem: str) -> str:
    return _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}


def columns_problem(expected: int, got: int) -> str:
    return _("expected %(expected)s columns, got %(got)s") % {"expected": expected, "got": got}


def unknown_country(value: str) -> str:
    return _("unknown country code %(value)r") % {"value": value}


def unknown_currency(value: str) -> str:
    return _("unknown currency code %(value)r") % {"value": value}


def decimal_or_none(value: object) -> Decimal | None:
    """A finite Decimal from a decimal string (or JSON number parsed as Decimal/int); None otherwise."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def check_header(reader: Iterator[list[str]], expected: list[str], optional: Iterable[str] = ()) -> list[str]:
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
