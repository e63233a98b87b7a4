"""Middleware of the portal itself: liveness for load balancers, two-factor sign-in
(a signed-in session is complete only once its second factor is verified), the
reader's time zone, and the fallback for a refusal no page view caught."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from portal.errors import PortalError
from portal.health import liveness, readiness_response
from portal.timezones import SESSION_KEY, is_valid_zone, zone_for_user
from portal.two_factor import session_has_two_factor, user_must_use_two_factor

# Paths a half-signed-in person may still open: the two-factor pages themselves, logging out,
# switching language, static files, health, and the API (Bearer tokens, no session).
_ALWAYS_OPEN = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz", "/api/")


class TwoFactorRequiredMiddleware:
    """After the password: ask for the code when the person has a device; make those who must use one set it up.

    Covers every page including Django admin (the admin login posts the password, then lands here).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect = self._redirect_for(request)
        return redirect if redirect is not None else self.get_response(request)

    def _redirect_for(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_ALWAYS_OPEN):
            return None
        has_two_factor = session_has_two_factor(request)
        if not has_two_factor and not user_must_use_two_factor(user):
            return None
        if user.is_verified():
            return None
        if has_two_factor:
            return _to("two-factor-verify", request)
        if user_must_use_two_factor(user) and not request.path.startswith(reverse("security")):
            return _to("security", request)
        return None


def _to(name: str, request: HttpRequest) -> HttpResponse:
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    url = reverse(name) + (f"?{query}" if query else "")
    return HttpResponseRedirect(url)


class HealthCheckMiddleware:
    """Answer `/healthz` (liveness) and `/readyz` (readiness) before anything else looks at the request.

    A load balancer or an orchestrator probes each web node over plain HTTP with the node's own
    address as Host: placed first, this answers before SecurityMiddleware's HTTPS redirect and
    before any host validation (ALLOWED_HOSTS), which would otherwise give 301 or 400 whether
    the node is healthy or not.
    """

    PROBES: dict[str, Callable[[], HttpResponse]] = {"/healthz": liveness, "/readyz": readiness_response}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.PROBES.get(request.path_info.rstrip("/"))
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe()
        return self.get_response(request)


class ReaderTimezoneMiddleware:
    """Shows times in the reader's zone (Japan partners in JST, CAMs and staff UTC); storage stays UTC.

    The zone is decided once at login (`portal.timezones.remember_zone`) and kept in the session,
    so a page costs no extra query; an older session without it is filled on its next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if not name or not is_valid_zone(name):
                name = request.session[SESSION_KEY] = zone_for_user(user)
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


LOGIN_LANGUAGE = "_portal_login_language"


def remember_language(sender: object, request: object, user: object, **kwargs: object) -> None:
    """On login (`user_logged_in`): a person who chose a language gets it from the login's response on."""
    language = getattr(user, "language", "")
    if language and request is not None:
        setattr(request, LOGIN_LANGUAGE, language)


class LoginLanguageMiddleware:
    """Sets the language cookie on the response of a login when the person chose a language
    (`portal.middleware.remember_language`). Without a choice, the browser's language rules as before."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, LOGIN_LANGUAGE, "")
        if language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The cookie Django's LocaleMiddleware reads, as the language switcher sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PortalErrorMiddleware:
    """A `PortalError` no page view caught: its message, and back to the page the person came from.

    Views show refusals with `portal.refusals.refusal`; this is the net under them (a race the
    view did not expect). An htmx request reloads its page, so the message appears. API
    endpoints answer their refusals as JSON before one gets here (`api.errors`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PortalError):
            return None
        messages.error(request, exception.message)
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        back = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(back if back and safe else "/")
