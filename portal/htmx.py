"""The one htmx convention: when a request wants a page's named partial."""

from __future__ import annotations

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def page_or_partial(request: HttpRequest, template_name: str, partial: str) -> str:
    """`page.html#partial` for an htmx swap, `page.html` otherwise (django-htmx's example)."""
    return f"{template_name}#{partial}" if wants_partial(request) else template_name
