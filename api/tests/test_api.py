from __future__ import annotations

import datetime as dt
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openapi_spec_validator import validate

from api.models import ApiToken
from api.openapi import ERROR_CODES
from registrations.models import DomainRegistration, RegistrationEvent
from tests.factories import DomainRegistrationFactory

pytestmark = pytest.mark.django_db


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) <= {"code", "message", "field"} and body["code"] == code and body["message"]


def test_openapi_document_needs_no_token_and_validates(client):
    response = client.get("/api/v1/openapi.json")
    document = response.json()
    validate(document)
    assert {"/partner", "/registrations", "/registrations/{id}/extend", "/cam/queue"} <= set(document["paths"])
    assert set(ERROR_CODES) == set(document["components"]["schemas"]["Error"]["properties"]["code"]["enum"])


@pytest.mark.parametrize("header", [None, "Bearer nope", "Token pp_x", "Bearer "])
def test_missing_or_bad_token_is_401(client, header, partner_admin):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    for path in ("partner", "registrations", "cam/queue"):
        _assert_error(client.get(f"/api/v1/{path}", **extra), 401, "unauthorized")
    _assert_error(
        client.post("/api/v1/registrations", "{}", content_type="application/json", **extra), 401, "unauthorized"
    )


def test_revoked_token_and_deactivated_user_are_401(api, partner_admin, partner_member):
    caller = api(partner_admin)
    ApiToken.objects.update(revoked_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    _assert_error(caller.get("registrations"), 401, "unauthorized")
    member = api(partner_member)
    partner_member.is_active = False
    partner_member.save()
    _assert_error(member.get("registrations"), 401, "unauthorized")


def test_tokens_are_stored_hashed(partner_admin):
    from api.services import api_token_create

    token, raw = api_token_create(user=partner_admin, name="sync")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=raw).exists() and raw not in token.prefix + token.name


def test_partner_endpoint_returns_partner_status_with_registration_keys(api, partner_admin, fill):
    fill(partner_admin.partner, 3)
    body = api(partner_admin).get("partner").json()
    assert body["partner_id"] == partner_admin.partner.partner_id
    assert (body["registration_cap"], body["live_registrations"], body["commission_hold"]) == (10, 3, False)
    assert "tier" in body


def test_partner_endpoint_for_a_cam_token_is_404(api, cam):
    _assert_error(api(cam).get("partner"), 404, "not_found")


def test_submit_returns_201_with_the_normalised_pending_registration(api, partner_member):
    response = api(partner_member).post("registrations", {"domain": "HTTPS://www.Example.co.uk/pricing"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "domain", "status", "submitted_at", "approved_at", "expires_on", "extended"}
    assert (body["domain"], body["status"], body["extended"], body["expires_on"]) == (
        "example.co.uk",
        "pending",
        False,
        None,
    )
    assert dt.datetime.fromisoformat(body["submitted_at"])


def test_submit_records_the_optional_customer_industry_and_refuses_an_unknown_one(api, partner_member):
    caller = api(partner_member)
    response = caller.post("registrations", {"domain": "shop.jp", "country": "JP", "industry": "retail"})
    assert response.status_code == 201
    assert DomainRegistration.objects.get(pk=response.json()["id"]).industry == "retail"
    _assert_error(caller.post("registrations", {"domain": "mine.jp", "industry": "mining"}), 400, "bad_request")
    assert not DomainRegistration.objects.filter(domain="mine.jp").exists()


def test_submit_errors(api, partner_member, other_partner, fill):
    caller = api(partner_member)
    _assert_error(caller.post("registrations", {"domain": "localhost"}), 422, "invalid_domain")
    _assert_error(caller.post("registrations", raw="{not json"), 400, "bad_request")
    _assert_error(caller.post("registrations", {"name": "x"}), 400, "bad_request")
    DomainRegistrationFactory(partner=other_partner, domain="held.com", status="registered")
    response = caller.post("registrations", {"domain": "held.com"})
    _assert_error(response, 409, "domain_taken")
    assert other_partner.name not in response.json()["message"]
    fill(partner_member.partner, 10)
    _assert_error(caller.post("registrations", {"domain": "fresh.com"}), 409, "cap_reached")


def test_list_is_scoped_and_filterable(api, partner_member, other_partner):
    DomainRegistrationFactory(partner=partner_member.partner, domain="mine.com", status="registered")
    DomainRegistrationFactory(partner=partner_member.partner, domain="mine-pending.com")
    DomainRegistrationFactory(partner=other_partner, domain="theirs.com")
    caller = api(partner_member)
    assert {r["domain"] for r in caller.get("registrations").json()["items"]} == {"mine.com", "mine-pending.com"}
    assert [r["domain"] for r in caller.get("registrations", status="registered").json()["items"]] == ["mine.com"]
    _assert_error(caller.get("registrations", status="bogus"), 400, "bad_request")


def test_extend_and_its_errors(api, partner_member, fill):
    registration = DomainRegistrationFactory(
        partner=partner_member.partner, status="registered", expires_on=dt.date(2030, 1, 15)
    )
    caller = api(partner_member)
    response = caller.post(f"registrations/{registration.pk}/extend")
    assert response.status_code == 200
    assert (response.json()["expires_on"], response.json()["extended"]) == ("2030-04-15", True)
    _assert_error(caller.post(f"registrations/{registration.pk}/extend"), 409, "extension_not_allowed")
    other = DomainRegistrationFactory(
        partner=partner_member.partner, status="registered", expires_on=dt.date(2030, 1, 1)
    )
    fill(partner_member.partner, 8)
    _assert_error(caller.post(f"registrations/{other.pk}/extend"), 409, "cap_reached")


def test_release_answers_200_released(api, partner_member):
    registration = DomainRegistrationFactory(
        partner=partner_member.partner, status="registered", expires_on=dt.date(2030, 1, 1)
    )
    response = api(partner_member).post(f"registrations/{registration.pk}/release")
    assert response.status_code == 200 and response.json()["status"] == "released"
    assert RegistrationEvent.objects.get(registration=registration).to_status == "released"


@pytest.mark.parametrize("action", ["extend", "release"])
def test_another_partners_registration_is_404(api, other_partner_user, partner, action):
    registration = DomainRegistrationFactory(partner=partner, status="registered", expires_on=dt.date(2030, 1, 1))
    _assert_error(api(other_partner_user).post(f"registrations/{registration.pk}/{action}"), 404, "not_found")
    _assert_error(api(other_partner_user).post("registrations/999999/extend"), 404, "not_found")
    registration.refresh_from_db()
    assert registration.status == "registered" and not registration.extended


def test_cam_queue_lists_the_book_oldest_first_with_partner_id(api, cam, partner, other_partner):
    newer = DomainRegistrationFactory(partner=partner, domain="b.com")
    older = DomainRegistrationFactory(
        partner=partner, domain="a.com", submitted_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    DomainRegistrationFactory(partner=other_partner, domain="outside.com")
    items = api(cam).get("cam/queue").json()["items"]
    assert [(i["id"], i["partner_id"]) for i in items] == [
        (older.pk, partner.partner_id),
        (newer.pk, partner.partner_id),
    ]


def test_cam_queue_for_a_partner_token_is_404(api, partner_admin):
    _assert_error(api(partner_admin).get("cam/queue"), 404, "not_found")


def test_cam_approves_and_rejects_through_the_api(api, cam, partner):
    first, second = DomainRegistrationFactory.create_batch(2, partner=partner)
    caller = api(cam)
    response = caller.post(f"registrations/{first.pk}/approve")
    assert response.status_code == 200 and response.json()["status"] == "registered"
    assert response.json()["approved_at"] and response.json()["expires_on"]
    _assert_error(caller.post(f"registrations/{second.pk}/reject", {}), 400, "bad_request")
    _assert_error(caller.post(f"registrations/{second.pk}/reject", raw="]["), 400, "bad_request")
    response = caller.post(f"registrations/{second.pk}/reject", {"reason": "Existing customer"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_partner_outside_the_cams_book_is_404(api, other_cam, partner_admin, partner, action):
    registration = DomainRegistrationFactory(partner=partner)
    for user in (other_cam, partner_admin):
        _assert_error(api(user).post(f"registrations/{registration.pk}/{action}", {"reason": "x"}), 404, "not_found")
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_cam_token_lists_only_its_book(api, other_cam, partner):
    DomainRegistrationFactory(partner=partner)
    assert api(other_cam).get("registrations").json() == {"items": []}


def test_wrong_method_is_a_json_error(api, partner_admin):
    response = api(partner_admin).get("registrations/1/extend")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


# --- the command and the portal page -----------------------------------------------


def test_create_api_token_prints_only_the_token(partner_admin, api):
    out = StringIO()
    call_command("create_api_token", partner_admin.email, stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("pp_") and "\n" not in raw
    assert api(token=raw).get("registrations").status_code == 200


def test_create_api_token_refuses_unknown_or_staff(staff):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody@example.test")
    with pytest.raises(CommandError):
        call_command("create_api_token", staff.email)
    assert not ApiToken.objects.exists()


def test_org_admin_creates_a_token_shown_once_and_revokes_it(client_for, partner_admin, api):
    client = client_for(partner_admin)
    response = client.post(reverse("api:tokens"), {"name": "CRM sync"})
    body = response.content.decode()
    raw = body.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert response["Cache-Control"] == "no-store"
    assert raw not in client.get(reverse("api:tokens")).content.decode()
    token = ApiToken.objects.get()
    client.post(reverse("api:token-revoke", args=[token.pk]))
    _assert_error(api(token=raw).get("registrations"), 401, "unauthorized")


def test_members_cannot_open_the_tokens_page(client_for, partner_member):
    assert client_for(partner_member).get(reverse("api:tokens")).status_code == 404


@pytest.mark.parametrize("who", ["other_partner_user", "other_cam", "cam"])
def test_others_cannot_revoke_a_partners_token(request, client_for, partner_admin, who):
    from api.services import api_token_create

    token, _raw = api_token_create(user=partner_admin, name="owl-token")
    client = client_for(request.getfixturevalue(who))
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 404
    assert "owl-token" not in client.get(reverse("api:tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert DomainRegistration.objects.count() == 0


def test_partner_status_command_gains_the_registration_keys(partner, fill):
    from registrations.models import CommissionHold

    fill(partner, 11)
    CommissionHold.objects.create(partner=partner, started_on=dt.date(2022, 4, 1), live_at_start=11, cap_at_start=10)
    out = StringIO()
    call_command("partner_status", partner.partner_id, "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert (body["registration_cap"], body["live_registrations"], body["commission_hold"]) == (10, 11, True)
