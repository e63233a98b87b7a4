"""JSON API v1 (issue 5): bearer tokens, JSON in and out, every error `{"code", "message"}`.

Views are CSRF-exempt because they authenticate only with the Authorization
header (no cookies), so a browser cannot be tricked into sending one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from api.openapi import openapi_document
from api.services import api_token_authenticate
from api.status import partner_status
from portal.models import Partner, User
from portal.selectors import partners_visible_to
from registrations import selectors, services
from registrations.models import DomainRegistration, RegistrationStatus

STATUS_BY_CODE = {
    "unauthorized": 401,
    "not_found": 404,
    "bad_request": 400,
    "cap_reached": 409,
    "domain_taken": 409,
    "extension_not_allowed": 409,
    "invalid_domain": 422,
    "method_not_allowed": 405,
}


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def error(code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=STATUS_BY_CODE[code])


def endpoint(*methods: str) -> Callable:
    """Authenticate the bearer token, allow only `methods`, and turn refusals into JSON errors."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
            if request.method not in methods:
                response = error("method_not_allowed", f"use {' or '.join(methods)}")
                response["Allow"] = ", ".join(methods)
                return response
            scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
            user = api_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                return error("unauthorized", "missing, unknown or revoked bearer token")
            request.user = user
            try:
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return error(exc.code, exc.message)
            except services.RegistrationError as exc:
                return error(exc.code, str(exc.message))
            except (Http404, PermissionDenied):
                return error("not_found", "no such resource for this token")

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError("bad_request", "the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ApiError("bad_request", "the body must be a JSON object")
    return data


def _partner(user: User) -> Partner:
    if not user.is_partner_user:
        raise ApiError("not_found", "this token belongs to no partner organisation")
    return partners_visible_to(user).get()


def registration_json(registration: DomainRegistration, *, with_partner: bool = False) -> dict:
    data = {
        "id": registration.pk,
        "domain": registration.domain,
        "status": registration.status,
        "submitted_at": registration.submitted_at.isoformat(),
        "approved_at": registration.approved_at.isoformat() if registration.approved_at else None,
        "expires_on": registration.expires_on.isoformat() if registration.expires_on else None,
        "extended": registration.extended,
    }
    if with_partner:
        data["partner_id"] = registration.partner.partner_id
    return data


def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(request.build_absolute_uri("/api/v1")))


@endpoint("GET")
def partner(request: HttpRequest) -> JsonResponse:
    return JsonResponse(partner_status(_partner(request.user)))


@endpoint("GET", "POST")
def registrations(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        data = _body(request)
        own = _partner(request.user)
        domain = data.get("domain")
        if not isinstance(domain, str):
            raise ApiError("bad_request", '"domain" (a string) is required')
        registration = services.registration_submit(
            partner=own,
            domain=domain,
            acting_user=request.user,
            company_name=str(data.get("company_name") or ""),
            country=str(data.get("country") or ""),
        )
        return JsonResponse(registration_json(registration), status=201)
    rows = selectors.registrations_visible_to(request.user).order_by("-submitted_at", "-pk")
    status = request.GET.get("status")
    if status:
        if status not in RegistrationStatus.values:
            raise ApiError("bad_request", f"status must be one of {', '.join(RegistrationStatus.values)}")
        rows = rows.filter(status=status)
    return JsonResponse({"items": [registration_json(r) for r in rows]})


def _own_registration(request: HttpRequest, pk: int) -> DomainRegistration:
    registration = selectors.registrations_for_partner(partner=_partner(request.user)).filter(pk=pk).first()
    if registration is None:
        raise ApiError("not_found", "no such registration")
    return registration


@endpoint("POST")
def extend(request: HttpRequest, pk: int) -> JsonResponse:
    _body(request)
    registration = services.registration_extend(registration=_own_registration(request, pk), acting_user=request.user)
    return JsonResponse(registration_json(registration))


@endpoint("POST")
def release(request: HttpRequest, pk: int) -> JsonResponse:
    _body(request)
    registration = services.registration_release(registration=_own_registration(request, pk), acting_user=request.user)
    return JsonResponse(registration_json(registration))


def _queue_registration(request: HttpRequest, pk: int) -> DomainRegistration:
    if not request.user.is_cam:
        raise ApiError("not_found", "no such registration in your approval queue")
    return selectors.queue_registration_get(cam=request.user, pk=pk)


@endpoint("POST")
def approve(request: HttpRequest, pk: int) -> JsonResponse:
    data = _body(request)
    registration = services.registration_approve(
        registration=_queue_registration(request, pk), acting_user=request.user, reason=str(data.get("reason") or "")
    )
    return JsonResponse(registration_json(registration))


@endpoint("POST")
def reject(request: HttpRequest, pk: int) -> JsonResponse:
    data = _body(request)
    registration = _queue_registration(request, pk)
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ApiError("bad_request", '"reason" (a non-empty string) is required to reject')
    registration = services.registration_reject(registration=registration, acting_user=request.user, reason=reason)
    return JsonResponse(registration_json(registration))


@endpoint("GET")
def cam_queue(request: HttpRequest) -> JsonResponse:
    if not request.user.is_cam:
        raise ApiError("not_found", "only a CAM's token has an approval queue")
    rows = selectors.approval_queue(cam=request.user)
    return JsonResponse({"items": [registration_json(r, with_partner=True) for r in rows]})
