"""One refusal convention: a service raises a `PortalError`; pages and the API each map it in one place."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from api.errors import ApiError, refusal_response
from community.services import ProgrammeError
from enablement.services import EnablementError
from portal.errors import Forbidden, PortalError
from portal.middleware import PortalErrorMiddleware
from portal.refusals import refusal
from registrations.services import CapReached, RegistrationError
from tiers.services import TierError


def _request(path: str = "/community/", **headers):
    request = RequestFactory().post(path, **headers)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _texts(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


class _Form(forms.Form):
    body = forms.CharField(required=False)


def test_every_apps_refusal_is_a_portal_error():
    for error in (ProgrammeError, EnablementError, RegistrationError, TierError, Forbidden, ApiError):
        assert issubclass(error, PortalError), error


def test_a_refusal_becomes_a_message_for_the_next_page():
    request = _request()
    with refusal(request) as refused:
        raise ProgrammeError("No review cycle is open for applications.")
    assert refused and refused.message == "No review cycle is open for applications."
    assert _texts(request) == ["No review cycle is open for applications."]


def test_a_refusal_goes_to_the_form_when_there_is_one():
    request, form = _request(), _Form({"body": "x"})
    assert form.is_valid()
    with refusal(request, form=form, field="body") as refused:
        raise RegistrationError("Notes are closed on this deal.")
    assert refused
    assert form.errors["body"] == ["Notes are closed on this deal."]
    assert _texts(request) == []


def test_an_inline_refusal_is_left_to_the_partial():
    request = _request()
    with refusal(request, inline=True) as refused:
        raise EnablementError("This award is already published.")
    assert refused.message == "This award is already published."
    assert _texts(request) == []


def test_no_refusal_and_other_errors_pass_through():
    request = _request()
    with refusal(request) as refused:
        pass
    assert not refused and refused.message == ""
    with pytest.raises(ValueError), refusal(request):
        raise ValueError("a bug, not a refusal")


def test_an_uncaught_page_refusal_shows_its_message_and_goes_back():
    middleware = PortalErrorMiddleware(lambda request: None)
    request = _request(HTTP_REFERER="http://testserver/community/deib/")
    response = middleware.process_exception(request, ProgrammeError("This application has already been withdrawn."))
    assert (response.status_code, response["Location"]) == (302, "http://testserver/community/deib/")
    assert _texts(request) == ["This application has already been withdrawn."]
    # Never back to another site.
    request = _request(HTTP_REFERER="https://evil.example/")
    assert middleware.process_exception(request, ProgrammeError("no"))["Location"] == "/"
    # Anything that is not a refusal is left to Django.
    assert middleware.process_exception(_request(), KeyError("bug")) is None


def test_an_uncaught_refusal_in_an_htmx_swap_reloads_the_page():
    request = _request()
    request.htmx = True
    response = PortalErrorMiddleware(lambda request: None).process_exception(request, Forbidden("Not yours."))
    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    assert _texts(request) == ["Not yours."]


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (CapReached("The cap is reached."), 409, {"code": "cap_reached", "message": "The cap is reached."}),
        (Forbidden("Not allowed."), 403, {"code": "forbidden", "message": "Not allowed."}),
        (
            ApiError("bad_request", '"domain" is required', field="domain"),
            400,
            {"code": "bad_request", "message": '"domain" is required', "field": "domain"},
        ),
        # A code the API does not document answers as its documented 400.
        (ProgrammeError("No."), 400, {"code": "bad_request", "message": "No."}),
    ],
)
def test_the_api_answers_any_refusal_with_its_documented_code(error, status, body):
    response = refusal_response(error)
    assert response.status_code == status
    assert json.loads(response.content) == body


def test_an_admin_action_names_each_refused_row_and_counts_the_rest():
    from portal.refusals import for_each_row

    said = []

    class _Admin:
        def message_user(self, request, message, level):
            said.append((message, level))

    def act(row):
        if row == "second":
            raise EnablementError("This award is already published.")

    assert for_each_row(_Admin(), _request(), ["first", "second", "third"], act) == 2
    assert said == [("second: This award is already published.", 40)]
