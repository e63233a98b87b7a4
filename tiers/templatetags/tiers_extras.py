"""Small formatting filters for the tier pages."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from django import template
from django.forms import BoundField
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import formats as portal_formats
from portal.models import Tier

register = template.Library()


@register.filter
def coefficient(value: Decimal | None) -> str:
    """A coefficient to 8 places without trailing zeros (0.000250000000 → 0.00025, 1/75 → 0.01333333)."""
    if value is None:
        return "—"
    return format(Decimal(value).quantize(Decimal("1e-8")).normalize(), "f")


@register.filter
def points(value: Decimal | None, places: int = 0) -> str:
    """Points or money with thousands separators, `places` decimals."""
    # One formatting helper for the portal (Babel, the reader's locale).
    return portal_formats.number(value, places=int(places))


@register.filter
def month_name(value: dt.date) -> str:
    return formats.date_format(value, "M")


@register.filter
def month_label(value: dt.date) -> str:
    return _month_label(value, get_language())


@functools.lru_cache(maxsize=512)
def _month_label(value: dt.date, language: str) -> str:
    # A page labels the same two dozen months hundreds of times; formatting is not free.
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


@register.filter
def months_list(values: list[dt.date]) -> str:
    """Aug, Sep and Oct — localised month names joined for a sentence."""
    names = [formats.date_format(v, "M") for v in values]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": _(", ").join(names[:-1]), "last": names[-1]}


@register.filter
def tier_label(value: str) -> str:
    try:
        return Tier(value).label
    except ValueError:
        return value


@register.filter
def signed(value: Decimal | None, places: int = 0) -> str:
    """+1,234 / −56 / 0, the sign judged after rounding (−0.3 shows as 0, not −0)."""
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-int(places)))
    text = points(abs(rounded), places)
    return f"+{text}" if rounded > 0 else f"−{text}" if rounded < 0 else text


@register.filter
def trend_arrow(value: Decimal | None) -> str:
    """▲ / ▼ / – for a change in points, judged on whole points."""
    rounded = Decimal(value or 0).quantize(Decimal(1))
    return "▲" if rounded > 0 else "▼" if rounded < 0 else "–"


@register.filter
def day_month(value: dt.date) -> str:
    """15 Jan 2027 (English) / 2027年1月15日 (Japanese): the portal's one date style, always with the year."""
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def select_html(field: BoundField) -> str:
    """A choice field's `<select>`, built in Python.

    Django's select widget renders every option through the template engine; with
    two dozen months in three selects that was the dashboard's largest cost.
    """
    value = field.value()
    current = "" if value is None else str(value)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((str(v), mark_safe(" selected") if str(v) == current else "", label) for v, label in field.field.choices),
    )
    return format_html('<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, options)


@register.simple_tag
def bar(percent: int | Decimal | None) -> str:
    """The fill of a progress bar as an SVG rect (no inline style: the page runs under a strict CSP).

    Clamped to 0–100, so a negative figure draws an empty bar, never a full one.
    """
    value = max(0, min(int(percent or 0), 100))
    return format_html(
        '<svg class="bar-fill" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        '<rect width="{}" height="1"/></svg>',
        value,
    )


# --- Phase 2 figures: a measure's value by its unit (tiers.progress.Measure.unit) ----------------


def _figure(value: Decimal | None, unit: str, *, trim: bool) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if unit == "count":
        return portal_formats.number(value, places=0)
    places = 0 if trim and value == value.to_integral_value() else 2
    text = portal_formats.number(value, places=places)
    if unit == "percent":
        return f"{text}%"
    if unit == "money":
        return f"US${text}"
    return text


@register.filter
def figure(value: Decimal | None, unit: str) -> str:
    """A partner's figure: 55.56%, 4.25, 3 people, US$1,200.00, 1,234.50 points."""
    return _figure(value, unit, trim=False)


@register.filter
def threshold_figure(value: Decimal | None, unit: str) -> str:
    """A requirement's threshold, without decimals when it has none: 80%, 4, 2, 4.5."""
    return _figure(value, unit, trim=True)
