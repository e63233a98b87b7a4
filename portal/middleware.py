"""Middleware of the portal itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal.health import liveness


class HealthCheckMiddleware:
    """Answer `/healthz` before anything else looks at the request.

    A load balancer probes each web node over plain HTTP with the node's own address as
    Host: placed first, this answers before SecurityMiddleware's HTTPS redirect and before
    any host validation (ALLOWED_HOSTS), which would otherwise give 301 or 400 whether the
    node is healthy or not.
    """

    PATH = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.rstrip("/") == self.PATH and request.method in ("GET", "HEAD"):
            return liveness()
        return self.get_response(request)
