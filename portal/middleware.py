"""Request middleware of the portal."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.timezones import SESSION_KEY, is_valid_zone, zone_for_user


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
