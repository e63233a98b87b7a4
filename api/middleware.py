"""Every error under /api/ is JSON with a documented code, whoever produced it.

The API views answer their own refusals (`api.errors.refusal_response`, any `PortalError`). What is left is what
Django answers before or around them: an unknown path (404), a body Django refuses
(400/413), a CSRF or permission refusal (403), a crash (500). This middleware turns
each of those into the same `{"code", "message"}` shape with a code from
`api.openapi.ERROR_STATUS`. The token page under /api/v1/tokens/ is a portal page
and keeps its HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from api.errors import refusal_response
from api.openapi import ERROR_STATUS
from portal.errors import PortalError

logger = logging.getLogger("api")

API_PREFIX = "/api/"
HTML_PAGES = ("/api/v1/tokens/",)
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
}
MESSAGES = {
    "bad_request": "the request could not be read",
    "unauthorized": "missing, unknown or revoked bearer token",
    "forbidden": "not allowed",
    "not_found": "no such API path; see /api/v1/openapi.json",
    "method_not_allowed": "method not allowed on this path; see /api/v1/openapi.json",
    "request_too_large": "the body is too large",
    "server_error": "unexpected error; nothing was changed",
}


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(HTML_PAGES)


def _json_error(code: str, *, status: int | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": MESSAGES[code]}, status=status or ERROR_STATUS[code])


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_path(request.path) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code >= 500:
            return _json_error("server_error")
        # Any other 4xx Django might produce is answered as the documented 400.
        replacement = _json_error(CODE_BY_STATUS.get(response.status_code, "bad_request"))
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        if isinstance(exception, PortalError):
            return refusal_response(exception)
        if isinstance(exception, RequestDataTooBig):
            return _json_error("request_too_large")
        if isinstance(exception, Http404):
            return _json_error("not_found")
        if isinstance(exception, PermissionDenied):
            return _json_error("forbidden")
        if isinstance(exception, SuspiciousOperation):
            return _json_error("bad_request")
        logger.exception("API request %s %s failed", request.method, request.path, exc_info=exception)
        return _json_error("server_error")
