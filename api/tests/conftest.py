from __future__ import annotations

import json
import re

import pytest
from django.test.client import Client
from jsonschema import Draft202012Validator

from api.middleware import is_api_path
from api.openapi import openapi_document
from api.services import api_token_create


def _operation_for(document: dict, path: str) -> tuple[str | None, dict]:
    """(the document's path template matching `path`, its path item) or (None, {})."""
    relative = path.removeprefix("/api/v1")
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, relative):
            return template, item
    return None, {}


def assert_conforms(document: dict, method: str, path: str, response) -> None:
    """The response's status is documented for this operation and its JSON body fits the schema.

    A path or method the document does not have may only answer the documented JSON
    error (404 `not_found` / 405 `method_not_allowed`).
    """
    template, item = _operation_for(document, path)
    operation = item.get(method.lower())
    if operation is None:
        responses = {"404": {}, "405": {}} if template is None else {"405": {}}
        schema: dict | None = {"$ref": "#/components/schemas/Error"}
        assert str(response.status_code) in responses, (method, path, response.status_code, response.content[:300])
    else:
        responses = operation["responses"]
        assert str(response.status_code) in responses, (
            f"{method} {path} answered {response.status_code}, which the document does not list "
            f"({sorted(responses)}): {response.content[:300]!r}"
        )
        content = responses[str(response.status_code)].get("content", {})
        schema = content.get("application/json", {}).get("schema")
    assert response["Content-Type"].startswith("application/json"), (method, path, response["Content-Type"])
    if schema is not None:
        body = json.loads(response.content)
        validator = Draft202012Validator({**schema, "components": document["components"]})
        errors = sorted(validator.iter_errors(body), key=str)
        assert not errors, f"{method} {path} {response.status_code}: {errors[0].message} in {body!r}"[:2000]


@pytest.fixture(autouse=True)
def _responses_match_the_document(monkeypatch):
    """Every API response in these tests is checked against api/openapi.py's document."""
    document = openapi_document()
    original = Client.request

    def checked(self, **request):
        response = original(self, **request)
        path = request.get("PATH_INFO", "")
        if is_api_path(path):
            assert_conforms(document, request["REQUEST_METHOD"], path, response)
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture
def api(client):
    """`api(user)` → a caller with that user's fresh bearer token: `.get(path)`, `.post(path, body)`."""

    class Caller:
        def __init__(self, token: str | None) -> None:
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

        def get(self, path: str, **params):
            return client.get(f"/api/v1/{path}", params, **self.headers)

        def post(self, path: str, body=None, *, raw: str | None = None):
            data = raw if raw is not None else json.dumps(body or {})
            return client.post(f"/api/v1/{path}", data, content_type="application/json", **self.headers)

    def make(user=None, token: str | None = None):
        if user is not None:
            token = api_token_create(user=user, name="test")[1]
        return Caller(token)

    return make
