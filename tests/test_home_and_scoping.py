"""Role-specific home pages and the scoping boundary every app builds on."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from portal.selectors import partner_get_for_user, partners_visible_to
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_partner_user_sees_only_own_partner(partner_member, other_partner):
    assert list(partners_visible_to(partner_member)) == [partner_member.partner]
    with pytest.raises(Http404):
        partner_get_for_user(user=partner_member, partner_id=other_partner.partner_id)


def test_cam_sees_only_their_book(cam, partner, other_partner):
    extra = PartnerFactory(cam=cam)
    assert set(partners_visible_to(cam)) == {partner, extra}
    with pytest.raises(Http404):
        partner_get_for_user(user=cam, partner_id=other_partner.partner_id)


def test_cc_sees_only_assigned_partners(cc, partner, other_partner):
    assert list(partners_visible_to(cc)) == [partner]


def test_staff_sees_every_partner(staff, partner, other_partner):
    assert set(partners_visible_to(staff)) == {partner, other_partner}


def test_deactivated_user_sees_nothing(partner_member, partner):
    partner_member.is_active = False
    assert not partners_visible_to(partner_member).exists()


def test_partner_home_shows_own_organisation_and_cam(client_for, partner_admin, other_partner):
    response = client_for(partner_admin).get(reverse("home"))
    content = response.content.decode()
    assert "Own Agency" in content
    assert "cam@example.test" in content
    assert other_partner.name not in content


def test_cam_home_lists_book_only(client_for, cam, partner, other_partner):
    content = client_for(cam).get(reverse("home")).content.decode()
    assert partner.name in content
    assert other_partner.name not in content
    assert "1 partner is assigned to you." in content


def test_staff_home_counts_partners_and_links_admin(client_for, staff, partner, other_partner):
    content = client_for(staff).get(reverse("home")).content.decode()
    assert "Programme overview" in content
    assert reverse("admin:index") in content


def test_navigation_is_by_role(client_for, partner_admin, cam, staff):
    assert "Team" in client_for(partner_admin).get(reverse("home")).content.decode()
    cam_page = client_for(cam).get(reverse("home")).content.decode()
    assert "Team" not in cam_page
    assert "Administration" not in cam_page
    assert "Administration" in client_for(staff).get(reverse("home")).content.decode()


def test_home_renders_in_japanese(client_for, partner_admin):
    client = client_for(partner_admin)
    client.cookies["django_language"] = "ja"
    content = client.get(reverse("home")).content.decode()
    assert 'lang="ja"' in content
    assert "貴社" in content and "あなたの組織" not in content  # docs/glossary.md
    assert "チャネルアカウントマネージャー" in content


def test_language_switch_sets_japanese(client_for, partner_admin):
    client = client_for(partner_admin)
    response = client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert response.status_code == 302
    assert "パートナーポータル" in client.get(reverse("home")).content.decode()
