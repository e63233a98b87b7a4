"""Two-factor sign-in: a signed-in session is complete only once its second factor is verified."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portal.two_factor import user_has_device, user_must_use_two_factor

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
        if user.is_verified():
            return None
        if user_has_device(user):
            return _to("two-factor-verify", request)
        if user_must_use_two_factor(user) and not request.path.startswith(reverse("security")):
            return _to("security", request)
        return None


def _to(name: str, request: HttpRequest) -> HttpResponse:
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    url = reverse(name) + (f"?{query}" if query else "")
    return HttpResponseRedirect(url)


def two_factor_required_setting() -> bool:
    return bool(getattr(settings, "PORTAL_REQUIRE_2FA", False))
