"""Template filters for what people read: money, numbers, points and internationalised domains.

All of them go through `portal.formats` (Babel's CLDR data) so a page never formats by hand:
`{{ deal.expected_mrr|money:deal.currency }}`, `{{ count|number }}`, `{{ value|number:2 }}`,
`{{ total|points }}`, `{{ registration.domain|idn }}`.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from portal import formats

register = template.Library()


@register.filter
def money(amount: object, currency: str) -> str:
    return formats.money(amount, currency or "USD")


@register.filter
def amount(value: object, currency: str) -> str:
    return formats.amount(value, currency or "USD")


@register.filter
def number(value: object, places: int | None = None) -> str:
    return formats.number(value, places=places)


@register.filter
def points(value: object, places: int = 0) -> str:
    """Points, grouped; whole by default (`{{ p|points }}`), or with `places` decimals (`{{ p|points:2 }}`)."""
    return formats.number(value, places=int(places))


@register.filter
def idn(domain: str) -> str:
    """The Unicode form of a domain (`例え.jp`)."""
    return formats.domain_unicode(domain or "")


@register.filter
def idn_full(domain: str) -> str:
    """The Unicode form, with the ASCII form as secondary text when they differ."""
    shown = formats.domain_unicode(domain or "")
    if shown == domain:
        return format_html("{}", shown)
    return format_html('{} <span class="muted small punycode">({})</span>', shown, domain)
