"""The client's address, behind as many trusted proxies as TRUSTED_PROXY_COUNT says."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str | None:
    """The address of whoever sent the request.

    With TRUSTED_PROXY_COUNT = 0 the socket's address (REMOTE_ADDR). With N > 0 the portal
    sits behind N proxies, the nearest of which is REMOTE_ADDR; each one appends the address
    it received from to X-Forwarded-For, so the client is the N-th entry from the right.
    Anything to the left of it was written by the client and is ignored, so a client cannot
    pose as another by sending its own X-Forwarded-For. Used by django-axes for lockout.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    # django-ipware counts the proxies listed in the header, i.e. all but the nearest one.
    ip, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=count - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return ip or remote
