"""The API refuses what its document does not describe, and every answer is one the document lists."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from api.openapi import MAX_BODY_BYTES, openapi_document
from api.services import api_token_create
from api.tests.conftest import assert_conforms
from registrations.models import DomainRegistration
from tests.factories import DomainRegistrationFactory

pytestmark = pytest.mark.django_db


def _error(response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domain": "a.com", "company_name": {"x": [1]}}, "company_name"),
        ({"domain": "a.com", "company_name": "x" * 201}, "company_name"),
        ({"domain": "a.com", "country": "<S"}, "country"),
        ({"domain": "a.com", "country": "ZZ"}, "country"),
        ({"domain": "a.com", "country": 81}, "country"),
        ({"domain": "a.com", "company_name": "Acme\x00Corp"}, "company_name"),
        ({"domain": "a\x00.com"}, "domain"),
        ({"domain": ["a.com"]}, "domain"),
        ({"domain": ""}, "domain"),
        ({"domain": "a.com", "owner": "me"}, "owner"),
        ({}, "domain"),
    ],
)
def test_submit_refuses_fields_the_document_does_not_allow(api, partner_member, body, field):
    response = api(partner_member).post("registrations", body)
    _error(response, 400, "bad_request", field)
    assert not DomainRegistration.objects.exists()


def test_submit_accepts_an_iso_country_and_stores_it(api, partner_member):
    response = api(partner_member).post("registrations", {"domain": "a.com", "company_name": "Acme", "country": "JP"})
    assert response.status_code == 201
    registration = DomainRegistration.objects.get()
    assert (registration.company_name, registration.country) == ("Acme", "JP")


@pytest.mark.parametrize("raw", ["[" * 100_000 + "]" * 100_000, '{"domain": "a.com"', '"just a string"', "\xff"])
def test_unreadable_or_deeply_nested_json_is_400(api, partner_member, raw):
    _error(api(partner_member).post("registrations", raw=raw), 400, "bad_request")


@pytest.mark.parametrize("reason", [{"a": 1}, "no\x00pe", "x" * 2001])
def test_decision_reasons_must_be_documented_strings(api, cam, partner, reason):
    registration = DomainRegistrationFactory(partner=partner)
    caller = api(cam)
    _error(caller.post(f"registrations/{registration.pk}/reject", {"reason": reason}), 400, "bad_request", "reason")
    _error(caller.post(f"registrations/{registration.pk}/approve", {"reason": reason}), 400, "bad_request", "reason")
    _error(caller.post(f"registrations/{registration.pk}/reject", {"reason": "   "}), 400, "bad_request", "reason")
    registration.refresh_from_db()
    assert registration.status == "pending" and registration.decision_reason == ""


def test_a_body_over_the_limit_is_413_before_anything_is_read(api, partner_member):
    big = json.dumps({"domain": "a.com", "company_name": "x" * (MAX_BODY_BYTES + 10)})
    _error(api(partner_member).post("registrations", raw=big), 413, "request_too_large")
    # Even without a token: the size is checked first.
    _error(Client().post("/api/v1/registrations", big, content_type="application/json"), 413, "request_too_large")
    assert not DomainRegistration.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/nope", "/api/v1/registrations/1", "/api/v2/partner"])
def test_unknown_api_paths_are_json_404(client, path):
    _error(client.get(path), 404, "not_found")


def test_wrong_methods_are_json_405_with_allow(client, api, partner_admin):
    response = client.post("/api/v1/openapi.json")
    _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    response = client.put("/api/v1/registrations", "{}", content_type="application/json")
    _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, POST"
    _error(client.delete("/api/v1/cam/queue"), 405, "method_not_allowed")


def test_a_crash_is_a_json_500_that_names_nothing(api, partner_member, monkeypatch):
    from registrations import services

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "registration_submit", boom)
    response = api(partner_member).post("registrations", {"domain": "a.com"})
    body = _error(response, 500, "server_error")
    assert "secret" not in body["message"]


def test_django_errors_under_api_become_json(client, settings):
    # A 403 from Django itself (e.g. a CSRF refusal on a non-exempt view) is documented JSON too.
    from django.http import HttpResponseForbidden

    from api.middleware import ApiJsonErrorsMiddleware

    middleware = ApiJsonErrorsMiddleware(lambda request: HttpResponseForbidden("<h1>CSRF</h1>"))
    request = __import__("django.test", fromlist=["RequestFactory"]).RequestFactory().post("/api/v1/registrations")
    response = middleware(request)
    assert response.status_code == 403 and json.loads(response.content)["code"] == "forbidden"
    page = ApiJsonErrorsMiddleware(lambda request: HttpResponseForbidden("<h1>x</h1>"))(
        __import__("django.test", fromlist=["RequestFactory"]).RequestFactory().get("/api/v1/tokens/")
    )
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("days", "later", "code"), [(30, 29, None), (30, 31, "token_expired"), (None, 3650, None)])
def test_token_expiry_is_chosen_at_creation(client, partner_admin, days, later, code):
    with time_machine.travel(dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        token, raw = api_token_create(user=partner_admin, name="ci", expires_in_days=days)
    with time_machine.travel(dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=later), tick=False):
        response = client.get("/api/v1/registrations", HTTP_AUTHORIZATION=f"Bearer {raw}")
        if code:
            _error(response, 401, code)
            token.refresh_from_db()
            assert not token.is_active and token.is_expired
        else:
            assert response.status_code == 200


def test_token_expiry_must_be_one_of_the_choices(partner_admin):
    with pytest.raises(ValueError):
        api_token_create(user=partner_admin, name="ci", expires_in_days=7)


def test_the_tokens_page_offers_expiry(client_for, partner_admin):
    client = client_for(partner_admin)
    with time_machine.travel(dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        client.post("/api/v1/tokens/", {"name": "CRM", "expires_in_days": "90"})
        client.post("/api/v1/tokens/", {"name": "Forever", "expires_in_days": ""})
    from api.models import ApiToken

    expiry = dict(ApiToken.objects.values_list("name", "expires_at"))
    assert expiry == {"CRM": dt.datetime(2025, 4, 1, 9, tzinfo=dt.UTC), "Forever": None}


def test_the_response_check_catches_an_undocumented_answer():
    from django.http import HttpResponse, JsonResponse

    document = openapi_document()
    with pytest.raises(AssertionError):
        assert_conforms(
            document, "GET", "/api/v1/partner", JsonResponse({"code": "teapot", "message": "x"}, status=418)
        )
    with pytest.raises(AssertionError):
        assert_conforms(document, "GET", "/api/v1/partner", JsonResponse({"code": "nope", "message": "x"}, status=404))
    with pytest.raises(AssertionError):
        assert_conforms(document, "GET", "/api/v1/nope", HttpResponse("<h1>Not found</h1>", status=404))
    assert_conforms(document, "GET", "/api/v1/nope", JsonResponse({"code": "not_found", "message": "x"}, status=404))


def test_every_error_code_in_the_document_has_a_status_and_the_docs_list_them():
    from pathlib import Path

    from api.openapi import ERROR_STATUS

    document = openapi_document()
    assert document["components"]["schemas"]["Error"]["properties"]["code"]["enum"] == list(ERROR_STATUS)
    statuses = {s for op in _operations(document) for s in op["responses"]}
    assert {"400", "401", "404", "405", "409", "413", "422", "500"} <= statuses
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for code in ERROR_STATUS:
        assert f"`{code}`" in docs


def _operations(document: dict):
    for item in document["paths"].values():
        yield from item.values()
