"""Staff hide a listing with a reason (service and admin action), and show it again; both are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directory import services
from directory.models import AuditEntry, PartnerProfile
from directory.services import DirectoryError
from directory.tests.helpers import profile_make
from portal.access import PermissionRefused
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(partner):
    return profile_make(partner, slug="own-agency")


def test_reviewer_hides_and_shows_a_listing_again_with_audit_rows(client, listing, partner):
    reviewer = StaffFactory(groups=["Reviewers"])
    services.profile_hide(profile=listing, actor=reviewer, reason="Misleading claims")
    listing.refresh_from_db()
    assert listing.hidden_by == reviewer and listing.hidden_reason == "Misleading claims" and not listing.is_public
    assert client.get(reverse("directory:profile", args=["own-agency"])).status_code == 404
    services.profile_unhide(profile=listing, actor=reviewer, reason="Fixed")
    listing.refresh_from_db()
    assert listing.hidden_at is None and listing.is_public
    rows = list(
        AuditEntry.objects.filter(object_id=listing.pk)
        .order_by("pk")
        .values_list("from_state", "to_state", "reason", "partner")
    )
    assert rows == [("visible", "hidden", "Misleading claims", partner.pk), ("hidden", "visible", "Fixed", partner.pk)]


def test_hiding_needs_a_reason_the_permission_and_a_visible_listing(listing):
    reviewer = StaffFactory(groups=["Reviewers"])
    with pytest.raises(DirectoryError):
        services.profile_hide(profile=listing, actor=reviewer, reason="  ")
    for group in (["Auditors"], ["Programme managers"], []):
        with pytest.raises(PermissionRefused):
            services.profile_hide(profile=listing, actor=StaffFactory(groups=group), reason="No")
    services.profile_hide(profile=listing, actor=reviewer, reason="Once")
    with pytest.raises(DirectoryError):  # a double click hides once
        services.profile_hide(profile=listing, actor=reviewer, reason="Twice")
    assert AuditEntry.objects.filter(to_state="hidden").count() == 1


def test_admin_action_asks_for_the_reason_then_hides(client_for, listing):
    client = client_for(StaffFactory(groups=["Reviewers"]))
    url = reverse("admin:directory_partnerprofile_changelist")
    ask = client.post(url, {"action": "hide", "_selected_action": [listing.pk]})
    assert ask.status_code == 200 and "Hide directory listings" in ask.content.decode()
    done = client.post(url, {"action": "hide", "_selected_action": [listing.pk], "apply": "1", "reason": "Spam"})
    assert done.status_code == 302
    assert PartnerProfile.objects.get(pk=listing.pk).hidden_reason == "Spam"
    client.post(url, {"action": "unhide", "_selected_action": [listing.pk]})
    assert PartnerProfile.objects.get(pk=listing.pk).hidden_at is None


def test_auditors_read_listings_in_admin_but_have_no_hide_action(client_for, listing):
    client = client_for(StaffFactory(groups=["Auditors"]))
    page = client.get(reverse("admin:directory_partnerprofile_changelist"))
    assert page.status_code == 200 and "Own Agency" in page.content.decode()
    assert 'value="hide"' not in page.content.decode()
    client.post(
        reverse("admin:directory_partnerprofile_changelist"),
        {"action": "hide", "_selected_action": [listing.pk], "apply": "1", "reason": "x"},
    )
    assert PartnerProfile.objects.get(pk=listing.pk).hidden_at is None


def test_partner_sees_why_staff_hid_the_listing(client_for, listing, partner_admin):
    services.profile_hide(profile=listing, actor=StaffFactory(groups=["Reviewers"]), reason="Logo is not yours.")
    html = client_for(partner_admin).get(reverse("directory:profile-edit")).content.decode()
    assert "Programme staff have hidden your listing: Logo is not yours." in html
