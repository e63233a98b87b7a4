"""The API's one mapping from a refusal to its JSON answer `{code, message[, field]}`.

Every service refusal is a `portal.errors.PortalError`; the API's own request checks raise
`ApiError`, a `PortalError` too. The HTTP status comes from `api.openapi.ERROR_STATUS`
(codes and statuses are a contract); a code the API does not document answers as
`bad_request`.
"""

from __future__ import annotations

from django.http import JsonResponse

from api.openapi import ERROR_STATUS
from portal.errors import PortalError


class ApiError(PortalError):
    """A refusal of the API itself (a bad body, an unknown id), with its documented code."""

    def __init__(self, code: str, message: str, *, field: str = "") -> None:
        super().__init__(message, code=code, field=field)


def error(code: str, message: str, *, field: str = "") -> JsonResponse:
    if code not in ERROR_STATUS:
        code = "bad_request"
    body = {"code": code, "message": str(message)} | ({"field": field} if field else {})
    return JsonResponse(body, status=ERROR_STATUS[code])


def refusal_response(exc: PortalError) -> JsonResponse:
    return error(exc.code, exc.message, field=exc.field)
