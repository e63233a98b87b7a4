"""The directory's filter menus, built in one pass (country has ~250 options, language ~100).

Django's select widget renders a template per option, which cost most of the search page's
time at 10,000 partners (docs/performance.md); this builds the same markup with `format_html`.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def filter_select(field: BoundField) -> SafeString:
    chosen = str(field.value() or "")
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, " selected" if str(code) == chosen else "", label) for code, label in field.field.choices),
    )
    return format_html('<select name="{}" id="{}">{}</select>', field.html_name, field.id_for_label, options)
