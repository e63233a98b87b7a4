"""JSON API v1 (issue 5): bearer tokens, JSON in and out, every error `{"code", "message"}`.

Views are CSRF-exempt because they authenticate only with the Authorization
header (no cookies), so a browser cannot be tricked into sending one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from api.errors import ApiError, error, refusal_response
from api.openapi import ERROR_STATUS, MAX_BODY_BYTES, openapi_document, request_bodies
from api.services import TokenExpired, api_token_authenticate
from api.status import partner_status
from portal.errors import PortalError
from portal.models import Partner, User
from portal.selectors import partners_visible_to
from registrations import selectors, services
from registrations.models import DomainRegistration, RegistrationStatus

# Kept for callers of the old name; the one table is api.openapi.ERROR_STATUS.
STATUS_BY_CODE = ERROR_STATUS


__all__ = ["STATUS_BY_CODE", "ApiError", "error"]


def method_not_allowed(methods: tuple[str, ...] | list[str]) -> JsonResponse:
    response = error("method_not_allowed", f"use {' or '.join(methods)}")
    response["Allow"] = ", ".join(methods)
    return response


def _too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return False


def endpoint(*methods: str, query: tuple[str, ...] = ()) -> Callable:
    """Allow only `methods` and the documented `query` parameters, refuse big bodies,
    authenticate the bearer token, and turn refusals into JSON errors."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
            if request.method not in methods:
                return method_not_allowed(methods)
            if _too_large(request):
                return error("request_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
            scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
            try:
                user = api_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
            except TokenExpired:
                return error("token_expired", "this bearer token has expired; create a new one")
            if user is None:
                return error("unauthorized", "missing, unknown or revoked bearer token")
            request.user = user
            unknown = sorted(set(request.GET) - set(query))
            if unknown:
                return error("bad_request", f'"{unknown[0]}" is not a documented query parameter', field=unknown[0])
            try:
                return view(request, *args, **kwargs)
            except PortalError as exc:
                return refusal_response(exc)
            except (Http404, PermissionDenied):
                return error("not_found", "no such resource for this token")

        return wrapper

    return decorate


def _check(schema: dict, value: object, field: str) -> None:
    """Validate `value` against the subset of JSON Schema the request bodies in api.openapi use."""
    name = field or "the body"
    if schema.get("type") == "object":
        if not isinstance(value, dict):
            raise ApiError("bad_request", f"{name} must be a JSON object", field=field)
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                raise ApiError("bad_request", f'"{key}" is required', field=key)
        if schema.get("additionalProperties") is False:
            unknown = sorted(set(value) - set(properties))
            if unknown:
                raise ApiError("bad_request", f'"{unknown[0]}" is not a documented field', field=unknown[0])
        for key, item in value.items():
            if key in properties:
                _check(properties[key], item, key)
        return
    if schema.get("type") == "string" and not isinstance(value, str):
        raise ApiError("bad_request", f'"{name}" must be a string', field=field)
    if "enum" in schema and value not in schema["enum"]:
        hint = schema.get("description") or "one of the documented values"
        raise ApiError("bad_request", f'"{name}" must be {hint[0].lower() + hint[1:]}', field=field)
    if len(value) < schema.get("minLength", 0):
        raise ApiError("bad_request", f'"{name}" must not be empty', field=field)
    if len(value) > schema.get("maxLength", len(value)):
        raise ApiError("bad_request", f'"{name}" is longer than {schema["maxLength"]} characters', field=field)
    if "\x00" in value:
        raise ApiError("bad_request", f'"{name}" must not contain NUL characters', field=field)
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ApiError("bad_request", f'"{name}" must not be blank', field=field)


def _body(request: HttpRequest, operation: str = "empty") -> dict:
    """The JSON body, validated against the operation's documented schema (an empty body is `{}`)."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise ApiError("request_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes") from exc
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError("request_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
    data: object = {}
    if raw:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, or nested too deep
            raise ApiError("bad_request", "the body is not valid JSON") from exc
    _check(request_bodies()[operation], data, "")
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


@csrf_exempt
def openapi(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return method_not_allowed(["GET"])
    return JsonResponse(openapi_document(request.build_absolute_uri("/api/v1")))


@endpoint("GET")
def partner(request: HttpRequest) -> JsonResponse:
    return JsonResponse(partner_status(_partner(request.user)))


@endpoint("GET", "POST", query=("status",))
def registrations(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        data = _body(request, "registration_submit")
        registration = services.registration_submit(
            partner=_partner(request.user),
            domain=data["domain"],
            acting_user=request.user,
            company_name=data.get("company_name", ""),
            country=data.get("country", ""),
            industry=data.get("industry", ""),
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
    data = _body(request, "registration_approve")
    registration = services.registration_approve(
        registration=_queue_registration(request, pk), acting_user=request.user, reason=data.get("reason", "")
    )
    return JsonResponse(registration_json(registration))


@endpoint("POST")
def reject(request: HttpRequest, pk: int) -> JsonResponse:
    data = _body(request, "registration_reject")
    registration = _queue_registration(request, pk)
    registration = services.registration_reject(
        registration=registration, acting_user=request.user, reason=data["reason"]
    )
    return JsonResponse(registration_json(registration))


@endpoint("GET")
def cam_queue(request: HttpRequest) -> JsonResponse:
    if not request.user.is_cam:
        raise ApiError("not_found", "only a CAM's token has an approval queue")
    rows = selectors.approval_queue(cam=request.user)
    return JsonResponse({"items": [registration_json(r, with_partner=True) for r in rows]})
