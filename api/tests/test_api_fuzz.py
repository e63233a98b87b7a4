"""Property-based run of the whole API from its OpenAPI document (schemathesis).

Every operation is called with generated requests — valid ones and, for bodies and
parameters, invalid ones — with a real partner's and a real CAM's token. Each answer
must be documented: no 5xx, a status the operation lists, JSON that fits its schema,
and invalid input refused with a 4xx. Kept small (a few examples per operation) so it
runs in CI with the rest of `make test`.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_create
from tests.factories import DomainRegistrationFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI app would close the test's database connection after each request (the test client does not)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, _keep_the_test_connection, partner_admin, cam, partner):
    """A partner's and its CAM's tokens, with a few registrations for the ids to hit."""
    for index, status in enumerate(["pending", "pending", "registered", "registered"]):
        DomainRegistrationFactory(partner=partner, domain=f"fuzz{index}.example", status=status)
    return {
        "partner": api_token_create(user=partner_admin, name="fuzz")[1],
        "cam": api_token_create(user=cam, name="fuzz")[1],
    }


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.parametrize("who", ["partner", "cam"])
def test_every_operation_answers_only_what_the_document_lists(case, tokens, who):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"}, checks=CHECKS)
