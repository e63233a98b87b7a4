"""Request ids and structured logs."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse
from django_guid import clear_guid, set_guid
from django_guid.log_filters import CorrelationId
from pythonjsonlogger.json import JsonFormatter

pytestmark = pytest.mark.django_db


def test_an_incoming_request_id_is_kept_and_echoed(client, partner_admin):
    incoming = "6f1c4a3e9b2d4c7e8a5f0b1c2d3e4f50"
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming


def test_a_request_without_an_id_gets_a_fresh_one_each_time(client):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_a_request_id_that_is_not_a_uuid_is_replaced(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID='x" level=ERROR message=forged')
    assert response["X-Request-ID"] != 'x" level=ERROR message=forged'
    assert len(response["X-Request-ID"]) == 32


def test_json_log_line_carries_time_level_logger_message_and_request_id(settings):
    """The production formatter, as configured in LOGGING, on a record logged during a request."""
    config = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    handler = _Capture()
    handler.setFormatter(JsonFormatter(**config))
    handler.addFilter(CorrelationId())
    logger = logging.getLogger("portal.views")
    logger.addHandler(handler)
    request_id = "0123456789abcdef0123456789abcdef"
    set_guid(request_id)  # what the request-id middleware does for each request
    try:
        logger.warning("something worth knowing")
    finally:
        clear_guid()
        logger.removeHandler(handler)
    line = json.loads(handler.lines[0])
    assert set(line) == {"time", "level", "logger", "message", "request_id"}
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "portal.views", "something worth knowing")
    assert line["request_id"] == request_id
    assert line["time"].endswith("+00:00")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
