"""Account lifecycle: set-password links, case-insensitive email, the last org admin,
deactivation that ends sessions and tokens for good, and no disclosure of who exists."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth import get_user
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test import Client
from django.urls import reverse

from api.services import api_token_create
from portal.errors import Forbidden
from portal.models import Role, User
from portal.services import MemberChangeRefused, partner_member_set_active, partner_member_set_role
from tests.factories import TEST_PASSWORD, PartnerUserFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str = TEST_PASSWORD) -> bool:
    """Log in through the real login form (axes needs the request)."""
    client.post(reverse("login"), {"username": email, "password": password})
    return get_user(client).is_authenticated


def _link(message) -> str:
    match = re.search(r"https?://\S+/accounts/reset/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def _set_password_through(link: str, password: str = "a-new-long-password-42") -> Client:
    client = Client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode(), response.content[:500]
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, follow=True
    )
    assert response.status_code == 200
    return client


# --- set-password links ------------------------------------------------------------------------------


def test_an_invited_colleague_gets_a_working_set_password_link(
    client_for, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(partner_admin).post(
            reverse("team"), {"email": "New@Own.example.test", "full_name": "New Person", "role": Role.PARTNER_MEMBER}
        )
    (message,) = mailoutbox
    assert message.to == ["new@own.example.test"]
    _set_password_through(_link(message))
    new = User.objects.get(email="new@own.example.test")
    assert new.has_usable_password() and new.check_password("a-new-long-password-42")
    assert _login(Client(), "NEW@own.example.test", "a-new-long-password-42")


def test_the_link_works_once(client_for, partner_admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(partner_admin).post(
            reverse("team"), {"email": "once@own.example.test", "full_name": "Once", "role": Role.PARTNER_MEMBER}
        )
    link = _link(mailoutbox[0])
    _set_password_through(link)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "new_password1" not in Client().get(path, follow=True).content.decode()


def test_create_user_without_password_emails_a_link_and_with_one_does_not(
    partner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_user", "ops@example.test", "--role", "staff")
        call_command("create_user", "pw@example.test", "--role", "staff", "--password", "s3cret-pass-123")
    assert [m.to for m in mailoutbox] == [["ops@example.test"]]
    _set_password_through(_link(mailoutbox[0]))
    assert User.objects.get(email="ops@example.test").has_usable_password()


def test_partners_in_japan_get_the_link_in_japanese(
    client_for, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    assert partner_admin.partner.region == "japan"
    with django_capture_on_commit_callbacks(execute=True):
        client_for(partner_admin).post(
            reverse("team"), {"email": "jp@own.example.test", "full_name": "JP", "role": Role.PARTNER_MEMBER}
        )
    assert "パスワード" in mailoutbox[0].subject


# --- email case --------------------------------------------------------------------------------------


def test_login_ignores_the_case_of_the_email(partner_admin):
    assert _login(Client(), "ADMIN@Own.Example.Test", TEST_PASSWORD)


def test_emails_are_stored_lower_case_and_unique_whatever_the_case(partner):
    user = PartnerUserFactory(email="Mixed@Case.Example", partner=partner)
    user.refresh_from_db()
    assert user.email == "mixed@case.example"
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=user.pk).update(email="X@y.example")
        User.objects.create(email="x@y.example", role=Role.STAFF)


def test_create_user_refuses_an_address_that_differs_only_by_case(partner_admin):
    from portal.services import user_create

    with pytest.raises(ValidationError):
        user_create(email="Admin@OWN.example.test", role=Role.STAFF, password=None)


# --- invite does not disclose who exists -------------------------------------------------------------


@pytest.mark.parametrize("existing", ["cam@example.test", "CAM@example.test", "admin@other.example.test"])
def test_inviting_an_existing_address_answers_like_a_new_one_and_changes_nothing(
    client_for, partner_admin, cam, other_partner_user, existing, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(partner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(
            reverse("team"), {"email": existing, "full_name": "X", "role": Role.PARTNER_MEMBER}, follow=True
        )
        fresh = client.post(
            reverse("team"), {"email": "nobody@new.example", "full_name": "Y", "role": Role.PARTNER_MEMBER}, follow=True
        )
    assert taken.status_code == fresh.status_code == 200
    said = [str(m) for m in taken.context["messages"]]
    assert said == [f"If {existing} can be invited, it has been sent a link to choose a password."]
    assert [str(m) for m in fresh.context["messages"]] == [
        "If nobody@new.example can be invited, it has been sent a link to choose a password."
    ]
    assert "already" not in taken.content.decode()
    cam.refresh_from_db()
    assert cam.role == Role.CAM and cam.partner is None
    assert [m.to for m in mailoutbox] == [["nobody@new.example"]]


# --- last org admin ---------------------------------------------------------------------------------


def test_the_last_active_org_admin_cannot_be_deactivated_or_demoted(partner_admin, partner_member):
    second = PartnerUserFactory(partner=partner_admin.partner, role=Role.PARTNER_ADMIN)
    partner_member_set_active(member=second, active=False, acting_user=partner_admin)
    # partner_admin is now the only active admin: the deactivated one cannot act, nobody can remove it.
    with pytest.raises(Forbidden):
        partner_member_set_active(member=partner_admin, active=False, acting_user=second)
    with pytest.raises(MemberChangeRefused, match="last active org admin"):
        partner_member_set_role(member=partner_admin, role=Role.PARTNER_MEMBER, acting_user=partner_admin)
    partner_admin.refresh_from_db()
    assert partner_admin.is_active and partner_admin.role == Role.PARTNER_ADMIN


def test_an_admin_may_be_demoted_while_another_stays(client_for, partner_admin, partner_member):
    client = client_for(partner_admin)
    client.post(reverse("team-member-role", args=[partner_member.pk]), {"role": Role.PARTNER_ADMIN})
    partner_member.refresh_from_db()
    assert partner_member.role == Role.PARTNER_ADMIN
    client.post(reverse("team-member-role", args=[partner_admin.pk]), {"role": Role.PARTNER_MEMBER})
    partner_admin.refresh_from_db()
    assert partner_admin.role == Role.PARTNER_MEMBER


def test_the_team_page_says_why_the_last_admin_stays(client_for, partner_admin):
    response = client_for(partner_admin).post(
        reverse("team-member-role", args=[partner_admin.pk]), {"role": Role.PARTNER_MEMBER}, follow=True
    )
    assert "is the last active org admin" in response.content.decode()
    partner_admin.refresh_from_db()
    assert partner_admin.role == Role.PARTNER_ADMIN


def test_role_change_of_another_partners_user_is_404(client_for, partner_admin, other_partner_user):
    response = client_for(partner_admin).post(
        reverse("team-member-role", args=[other_partner_user.pk]), {"role": Role.PARTNER_MEMBER}
    )
    assert response.status_code == 404
    other_partner_user.refresh_from_db()
    assert other_partner_user.role == Role.PARTNER_ADMIN


def test_staff_cannot_deactivate_the_last_org_admin_in_admin_either(partner_admin, partner_member):
    from portal.admin import PortalUserChangeForm

    data = {
        "email": partner_admin.email,
        "role": Role.PARTNER_ADMIN,
        "partner": partner_admin.partner_id,
        "is_active": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
    }
    form = PortalUserChangeForm(data, instance=partner_admin)
    assert not form.is_valid()
    assert "last active org admin" in str(form.errors)


@pytest.mark.django_db(transaction=True)
def test_two_admins_deactivating_each_other_at_once_leave_one_active_admin(partner):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs it)")
    for attempt in range(5):
        first = PartnerUserFactory(partner=partner, role=Role.PARTNER_ADMIN, email=f"a{attempt}@own.example.test")
        second = PartnerUserFactory(partner=partner, role=Role.PARTNER_ADMIN, email=f"b{attempt}@own.example.test")
        User.objects.filter(partner=partner).exclude(pk__in=[first.pk, second.pk]).update(is_active=False)
        barrier = threading.Barrier(2)

        def deactivate(member, actor, barrier=barrier):
            barrier.wait()
            try:
                partner_member_set_active(member=member, active=False, acting_user=actor)
            except (MemberChangeRefused, Forbidden):
                pass
            finally:
                connection.close()

        threads = [
            threading.Thread(target=deactivate, args=(second, first)),
            threading.Thread(target=deactivate, args=(first, second)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        active = User.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True).count()
        assert active == 1, f"attempt {attempt}: {active} active admins"


# --- deactivation ends sessions and tokens for good --------------------------------------------------


def test_deactivation_ends_sessions_and_tokens_and_reactivation_brings_none_back(partner_admin, partner_member):
    member_browser = Client()
    assert _login(member_browser, partner_member.email, TEST_PASSWORD)
    _token, raw = api_token_create(user=partner_member, name="sync")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/registrations").status_code == 200

    partner_member_set_active(member=partner_member, active=False, acting_user=partner_admin)
    partner_member_set_active(member=partner_member, active=True, acting_user=partner_admin)

    assert not get_user(member_browser).is_authenticated
    assert member_browser.get(reverse("home")).status_code == 302
    response = api.get("/api/v1/registrations")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    from api.models import ApiToken

    assert not ApiToken.objects.select_related("user").get(name="sync").is_active  # shown as revoked
    # A fresh login and a new token work again.
    assert _login(Client(), partner_member.email, TEST_PASSWORD)
    _token, new_raw = api_token_create(user=partner_member, name="new")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {new_raw}").get("/api/v1/registrations").status_code == 200


def test_other_users_sessions_survive_a_colleagues_deactivation(partner_admin, partner_member):
    admin_browser = Client()
    assert _login(admin_browser, partner_admin.email, TEST_PASSWORD)
    partner_member_set_active(member=partner_member, active=False, acting_user=partner_admin)
    assert get_user(admin_browser).pk == partner_admin.pk


def test_deactivating_in_admin_also_ends_sessions(client_for, rf, staff, partner_admin, partner_member):
    from django.contrib.admin.sites import site

    from portal.admin import UserAdmin

    member_browser = Client()
    assert _login(member_browser, partner_member.email, TEST_PASSWORD)
    partner_member.is_active = False
    form = type("F", (), {"changed_data": ["is_active"]})()
    request = rf.post("/admin/portal/user/")
    request.user = staff
    UserAdmin(User, site).save_model(request, partner_member, form, change=True)
    partner_member.is_active = True
    partner_member.save()
    assert not get_user(member_browser).is_authenticated


def test_the_migration_lower_cases_stored_addresses(partner_admin):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0002_email_case_insensitive_and_credential_revocation")
    User.objects.filter(pk=partner_admin.pk).update(email="Admin@OWN.example.test")  # as stored before it
    migration.lower_case_emails(apps, None)
    partner_admin.refresh_from_db()
    assert partner_admin.email == "admin@own.example.test"


def test_an_htmx_refusal_reloads_the_team_page_to_show_why(client_for, partner_admin):
    client = client_for(partner_admin)
    response = client.post(
        reverse("team-member-role", args=[partner_admin.pk]), {"role": Role.PARTNER_MEMBER}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert "is the last active org admin" in client.get(reverse("team")).content.decode()


def test_an_htmx_role_change_returns_the_row(client_for, partner_admin, partner_member):
    response = client_for(partner_admin).post(
        reverse("team-member-role", args=[partner_member.pk]), {"role": Role.PARTNER_ADMIN}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode().strip()
    assert body.startswith(f'<tr id="member-{partner_member.pk}"') and "Make member" in body
