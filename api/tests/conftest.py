from __future__ import annotations

import json

import pytest

from api.services import api_token_create
from registrations.tests.conftest import fill  # noqa: F401  (shared fixture)


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
