"""The one place that turns money, numbers and points into text a person reads.

Built on Babel's CLDR data, so every currency is shown with its own minor units
(JPY none, GBP two, KWD three) and symbol, in the reader's language: ``￥480,000`` for a
Japanese reader, ``¥480,000`` and ``£1,556.00`` for an English one. Templates use the
filters in ``portal.templatetags.portal_format``; Python code (messages, emails) calls
these functions directly. Validation of amounts uses the same minor units
(:func:`check_minor_units`), so what the portal accepts is what it can show.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import idna
from babel import Locale
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
    parse_pattern,
)
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Django language code → the Babel locale whose conventions a reader of it expects.
# English readers get "en" (¥ for yen, £ for pounds); Japanese readers "ja" (￥).
_BABEL_LOCALES = {"en": "en", "ja": "ja"}
DEFAULT_LOCALE = "en"


def babel_locale(language: str | None = None) -> str:
    """The Babel locale for a Django language code (the active language when None)."""
    code = (language or get_language() or DEFAULT_LOCALE).split("-")[0].lower()
    return _BABEL_LOCALES.get(code, DEFAULT_LOCALE)


@functools.lru_cache(maxsize=64)
def minor_units(currency: str) -> int:
    """How many decimals a currency has (ISO 4217 via CLDR): JPY 0, GBP 2, KWD 3."""
    return get_currency_precision(currency.upper())


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@functools.lru_cache(maxsize=32)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@functools.lru_cache(maxsize=16)
def _fixed_pattern(places: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * places if places > 0 else ""))


@functools.lru_cache(maxsize=16)
def _fixed_formatter(locale_name: str, places: int) -> Callable[[Decimal], str]:
    """`_fixed_pattern(places).apply(·, locale)` with the locale's symbols looked up once.

    A page formats hundreds of figures; Babel looks the group, decimal and minus symbols up in
    the locale data on every call. This does what `NumberPattern.apply` does for a plain
    `#,##0.00` pattern (normalise the magnitude, quantise with the context's rounding, group by
    threes, sign first) with the symbols bound; tests/test_formats.py holds it equal to Babel.
    """
    locale = _locale(locale_name)
    group, decimal, minus = get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale)
    pattern = _fixed_pattern(places)
    if pattern.grouping != (3, 3) or pattern.prefix != ("", "-") or pattern.suffix != ("", ""):
        return functools.partial(_babel_apply, pattern, locale)  # not the shape below: Babel decides
    quantum = Decimal(10) ** -places
    separators = str.maketrans({",": group, ".": decimal})

    def format_fixed(value: Decimal) -> str:
        text = f"{abs(value).normalize().quantize(quantum):,f}"
        if group != "," or decimal != ".":
            text = text.translate(separators)
        return minus + text if value.is_signed() else text

    return format_fixed


def _babel_apply(pattern: NumberPattern, locale: Locale, value: Decimal) -> str:
    return pattern.apply(value, locale)


def money(amount: object, currency: str, *, language: str | None = None) -> str:
    """`480000, "JPY"` → `¥480,000` (en) / `￥480,000` (ja); `1556, "GBP"` → `£1,556.00`."""
    number = _decimal(amount)
    if number is None:
        return "—"
    # currency_digits=True (the default) applies the currency's own minor units.
    return format_currency(number, currency.upper(), locale=_locale(babel_locale(language)))


def number(value: object, *, places: int | None = None, language: str | None = None) -> str:
    """A count or a figure with the reader's grouping: `12345` → `12,345`; `places` fixes the decimals."""
    num = _decimal(value)
    if num is None:
        return "—"
    locale_name = babel_locale(language)
    if places is None:
        return format_decimal(num, locale=_locale(locale_name))
    # Tables format hundreds of figures a page: the pattern and the locale's symbols are bound once.
    return _fixed_formatter(locale_name, int(places))(num)


def points(value: object, *, language: str | None = None) -> str:
    """Points as whole numbers with grouping: `12345.6` → `12,346`."""
    return number(value, places=0, language=language)


def check_minor_units(amount: Decimal, currency: str) -> None:
    """Refuse an amount with more decimals than its currency has (`480000.5 JPY`, `1.2345 KWD`)."""
    digits = minor_units(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        if digits == 0:
            message = _("%(currency)s amounts have no decimals: enter a whole number, such as %(example)s.") % {
                "currency": currency,
                "example": number(amount.to_integral_value(), places=0),
            }
        else:
            message = _(
                "%(currency)s amounts have at most %(digits)d decimals: enter an amount such as %(example)s."
            ) % {
                "currency": currency,
                "digits": digits,
                "example": number(amount, places=digits),
            }
        raise ValidationError(message, code="minor_units")


@functools.lru_cache(maxsize=4096)
def domain_unicode(domain: str) -> str:
    """`xn--r8jz45g.jp` → `例え.jp`: how people read an internationalised domain stored in ASCII.

    Storage and comparison keep the ASCII (punycode) form; this is for display only. Anything
    that does not decode (not a domain, a broken label) is returned as it is.
    """
    if not domain or "xn--" not in domain.lower():
        return domain or ""
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError, ValueError):
        return domain


def amount(value: object, currency: str, *, language: str | None = None) -> str:
    """An amount without its symbol, with the currency's minor units: `501785, "JPY"` → `501,785`.

    For tables that name the currency in a column of their own.
    """
    return number(value, places=minor_units(currency or "USD"), language=language)
