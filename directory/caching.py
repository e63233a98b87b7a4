"""Caching of the public directory pages for anonymous visitors.

Two layers (see docs/architecture.md, "Solutions Directory"):

- **Shared caches and browsers**: an anonymous answer says `Cache-Control: public, max-age=…` and
  `Vary: Accept-Language, Cookie, HX-Request`; a signed-in person's answer says `private, no-cache`,
  so nobody's preview or navigation is ever shared.
- **Django's cache** keeps the rendered anonymous page under a versioned key: the language, whether
  htmx asked for the results partial, and the full path. `directory_cache_bump()` (called after a
  profile, listing or review change commits) moves the version, so the next visitor gets a fresh
  page; a tier change elsewhere shows within `PAGE_SECONDS`.

Anonymous pages carry no CSRF token (the view leaves it out, and the language menu is a pair of
links), so the page never sets a cookie and one copy serves every visitor.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from portal.htmx import wants_partial

PAGE_SECONDS = 120
LOGO_SECONDS = 86400


def _namespace() -> str:
    # Two sites (or two test databases) sharing one Redis never read each other's pages.
    return f"directory:{connection.settings_dict['NAME']}"


def _version() -> str:
    key = f"{_namespace()}:version"
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, timeout=None)
        version = cache.get(key, version)
    return version


def directory_cache_bump() -> None:
    """Every cached directory page is stale from now on (call after the change commits)."""
    cache.set(f"{_namespace()}:version", uuid.uuid4().hex, timeout=None)


def _cacheable_request(request: HttpRequest) -> bool:
    """Anonymous GETs with no session or messages to show: the page is the same for every such visitor."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def _page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    part = "partial" if wants_partial(request) else "page"
    return f"{_namespace()}:{_version()}:{get_language()}:{part}:{path}"


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve anonymous visitors a shared, briefly cached page; signed-in people a private one."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        cacheable = _cacheable_request(request)
        key = _page_key(request) if cacheable else ""
        stored = cache.get(key) if cacheable else None
        if stored is not None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
        else:
            response = view(request, *args, **kwargs)
            if cacheable and response.status_code == 200 and not response.cookies:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                cache.set(
                    key,
                    {"content": response.content, "content_type": response["Content-Type"]},
                    timeout=PAGE_SECONDS,
                )
        return _with_headers(response, public=cacheable, max_age=PAGE_SECONDS)

    return wrapped


def _with_headers(response: HttpResponse, *, public: bool, max_age: int) -> HttpResponse:
    if public and response.status_code == 200:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie", "HX-Request"))
    return response


def logo_headers(response: HttpResponse, *, public: bool) -> HttpResponse:
    """A logo's URL carries its version (`?v=`), so a public logo may be kept for a day."""
    if public:
        patch_cache_control(response, public=True, max_age=LOGO_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response
