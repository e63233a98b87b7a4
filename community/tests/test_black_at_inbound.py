from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import BlackAtInboundMembership

pytestmark = pytest.mark.django_db


def test_members_see_the_member_list_and_non_members_do_not(partner_admin, other_partner_user, client_for):
    url = reverse("community:black-at-inbound")
    client_for(other_partner_user).post(reverse("community:black-at-inbound-membership"), {"action": "join"})
    outsider = client_for(partner_admin).get(url).content.decode()
    assert "admin@other" not in outsider and "visible to members only" in outsider
    client_for(partner_admin).post(reverse("community:black-at-inbound-membership"), {"action": "join"})
    member = client_for(partner_admin).get(url).content.decode()
    assert "Other Agency" in member and 'id="black-members"' in member


def test_leave_removes_membership_and_a_second_join_is_refused(partner_admin, client_for):
    client = client_for(partner_admin)
    url = reverse("community:black-at-inbound-membership")
    client.post(url, {"action": "join"})
    response = client.post(url, {"action": "join"}, follow=True)
    assert "already a member of Black@INBOUND" in response.content.decode()
    assert BlackAtInboundMembership.objects.count() == 1
    client.post(url, {"action": "leave"})
    assert not BlackAtInboundMembership.objects.exists()


def test_the_member_list_shows_names_and_organisations_never_emails(partner_admin, other_partner_user, client_for):
    other_partner_user.full_name = ""
    other_partner_user.save(update_fields=["full_name"])
    for user in (partner_admin, other_partner_user):
        client_for(user).post(reverse("community:black-at-inbound-membership"), {"action": "join"})
    page = client_for(partner_admin).get(reverse("community:black-at-inbound")).content.decode()
    members = page.split('id="black-members"')[1].split("</ul>")[0]
    assert "Other Agency" in members and "A member" in members and partner_admin.full_name in members
    assert "@" not in members
