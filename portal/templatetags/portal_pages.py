"""Links between pages of a list: Django's `{% querystring %}` under any parameter name."""

from __future__ import annotations

from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context, number: int, param: str = "page") -> str:
    """The current query string with `param` set to `number` (two paged lists on one page use two names)."""
    return querystring(context, **{param: number})
