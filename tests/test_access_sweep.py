"""A sweep over every URL of the portal: nothing answers an anonymous visitor but the public pages."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Pages anyone may open: logging in, resetting a password, switching language, health, the API's description,
# the Solutions Directory's search and its language links (its profiles and logos answer 404 for a made-up name).
PUBLIC = re.compile(
    r"^/(accounts/(login|password_reset|reset)|i18n/|healthz|readyz|api/v1/openapi\.json|admin/(login|logout)"
    r"|directory/$|directory/language/)"
)


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete(route: str) -> str:
    """A concrete path for a route: 1 for ints, a word for strings, leading ^/trailing $ dropped."""
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str:|slug:|path:)?\w+>", "x", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return "/" + route


def _all_paths() -> list[str]:
    paths = {_concrete(route) for route in _walk(get_resolver().url_patterns)}
    return sorted(p for p in paths if "(" not in p and "\\" not in p)


def test_the_sweep_covers_every_app():
    paths = _all_paths()
    for prefix in ("/tiers/", "/registrations/", "/community/", "/enablement/", "/api/v1/", "/team/"):
        assert any(p.startswith(prefix) for p in paths), prefix


@pytest.mark.parametrize("path", _all_paths())
def test_anonymous_visitor_gets_nothing_but_public_pages(client, path):
    if PUBLIC.match(path):
        return
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code in {301, 302, 401, 403, 404, 405}, (method.__name__, path, response.status_code)
        if response.status_code in {301, 302}:
            assert "/login/" in response.url, (path, response.url)
        if path.startswith("/api/v1/") and response.status_code == 401:
            assert response.json()["code"] == "unauthorized"
