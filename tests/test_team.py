"""An org admin manages the organisation's logins; nobody else can."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Role, User
from tests.factories import PartnerUserFactory

pytestmark = pytest.mark.django_db


def test_org_admin_adds_a_member_without_password(client_for, partner_admin):
    response = client_for(partner_admin).post(
        reverse("team"), {"email": "New@Own.example.test", "full_name": "New Person", "role": Role.PARTNER_MEMBER}
    )
    assert response.status_code == 302
    new = User.objects.get(email="new@own.example.test")
    assert new.partner == partner_admin.partner
    assert new.role == Role.PARTNER_MEMBER
    assert not new.has_usable_password()


def test_duplicate_email_adds_nothing_and_answers_like_a_new_invite(client_for, partner_admin, other_partner_user):
    before = User.objects.count()
    response = client_for(partner_admin).post(
        reverse("team"), {"email": other_partner_user.email, "full_name": "X", "role": Role.PARTNER_MEMBER}
    )
    assert response.status_code == 302
    assert User.objects.count() == before


def test_team_lists_only_own_organisation(client_for, partner_admin, partner_member, other_partner_user):
    content = client_for(partner_admin).get(reverse("team")).content.decode()
    assert partner_member.email in content
    assert other_partner_user.email not in content


@pytest.mark.parametrize("persona", ["partner_member", "cam", "staff"])
def test_only_org_admins_reach_team_page(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("team")).status_code == 404


def test_org_admin_deactivates_colleague_with_htmx_partial(client_for, partner_admin, partner_member):
    response = client_for(partner_admin).post(
        reverse("team-member-active", args=[partner_member.pk]),
        {"active": "0", "confirmed": "1"},
        HTTP_HX_REQUEST="true",
    )
    partner_member.refresh_from_db()
    assert not partner_member.is_active
    assert response.content.decode().strip().startswith(f'<tr id="member-{partner_member.pk}"')
    assert "Reactivate" in response.content.decode()


def test_org_admin_cannot_touch_another_partners_user(client_for, partner_admin, other_partner_user):
    response = client_for(partner_admin).post(
        reverse("team-member-active", args=[other_partner_user.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    other_partner_user.refresh_from_db()
    assert other_partner_user.is_active


def test_org_admin_cannot_deactivate_self(client_for, partner_admin):
    client_for(partner_admin).post(reverse("team-member-active", args=[partner_admin.pk]), {"active": "0"})
    partner_admin.refresh_from_db()
    assert partner_admin.is_active


def test_second_admin_of_same_partner_may_manage(client_for, partner_admin, partner_member):
    second = PartnerUserFactory(partner=partner_admin.partner, role=Role.PARTNER_ADMIN)
    client_for(second).post(reverse("team-member-active", args=[partner_member.pk]), {"active": "0", "confirmed": "1"})
    partner_member.refresh_from_db()
    assert not partner_member.is_active


def test_deactivating_without_confirmation_shows_a_confirmation_page_and_changes_nothing(
    client_for, partner_admin, partner_member
):
    response = client_for(partner_admin).post(reverse("team-member-active", args=[partner_member.pk]), {"active": "0"})
    partner_member.refresh_from_db()
    assert partner_member.is_active
    body = response.content.decode()
    assert "Deactivate a login" in body and partner_member.email in body
    assert 'name="confirmed" value="1"' in body


def test_reactivating_needs_no_confirmation(client_for, partner_admin, partner_member):
    partner_member.is_active = False
    partner_member.save(update_fields=["is_active"])
    client_for(partner_admin).post(reverse("team-member-active", args=[partner_member.pk]), {"active": "1"})
    partner_member.refresh_from_db()
    assert partner_member.is_active
