"""The org admin edits the partner's listing; members read; logos are checked; every save is audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import services
from directory.models import AuditEntry, PartnerProfile
from directory.tests.helpers import image_bytes, profile_make
from portal.errors import Forbidden
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
URL = reverse("directory:profile-edit")
EMPTY = {
    "tagline": "",
    "description": "",
    "website": "",
    "services": [],
    "languages": [],
    "listed": True,
    "industries": [],
    "operating_countries": [],
}


def _post(**overrides) -> dict:
    data = {
        "tagline": "Inbound for manufacturers",
        "description": "We help factories sell online.",
        "website": "https://own.example",
        "services": ["website", "revops"],
        "languages": ["ja", "en"],
        "industries": ["manufacturing"],
        "operating_countries": ["JP", "SG"],
        "listed": "on",
    }
    return data | overrides


def test_org_admin_creates_the_listing_and_writes_the_partners_facts(client_for, partner_admin, partner):
    response = client_for(partner_admin).post(URL, _post())
    assert response.status_code == 302
    profile = PartnerProfile.objects.get(partner=partner)
    assert (profile.slug, profile.tagline, profile.services) == (
        "own-agency",
        "Inbound for manufacturers",
        ["website", "revops"],
    )
    assert profile.languages == ["ja", "en"] and profile.listed
    partner.refresh_from_db()
    assert partner.industries == ["manufacturing"]
    assert [c.code for c in partner.operating_countries] == ["JP", "SG"]
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.PROFILE, object_id=profile.pk)
    assert (entry.actor, entry.partner, entry.from_state, entry.to_state) == (partner_admin, partner, "", "listed")
    assert "industries" in entry.reason and "operating_countries" in entry.reason


def test_second_save_audits_only_what_changed_and_nothing_when_nothing_did(client_for, partner_admin, partner):
    client = client_for(partner_admin)
    client.post(URL, _post())
    client.post(URL, _post(listed="", tagline="New line"))
    last = AuditEntry.objects.filter(subject=AuditEntry.Subject.PROFILE).first()
    assert (last.from_state, last.to_state, last.reason) == ("listed", "unlisted", "changed: tagline, listed")
    assert last.reason_label() == "Changed: tagline, listed in the directory"
    client.post(URL, _post(listed="", tagline="New line"))
    assert AuditEntry.objects.filter(subject=AuditEntry.Subject.PROFILE).count() == 2


def test_member_reads_but_cannot_save(client_for, partner_member, partner):
    profile_make(partner, slug="own-agency")
    client = client_for(partner_member)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Only your organisation's admins may edit the profile." in page.content.decode()
    assert 'id="profile-form"' not in page.content.decode()
    assert client.post(URL, _post(tagline="Sneaky")).status_code == 403
    assert PartnerProfile.objects.get(partner=partner).tagline != "Sneaky"


def test_another_partners_admin_only_ever_edits_their_own(client_for, other_partner_user, partner, other_partner):
    own = profile_make(partner, slug="own-agency", tagline="Untouched")
    client_for(other_partner_user).post(URL, _post(tagline="Theirs"))
    own.refresh_from_db()
    assert own.tagline == "Untouched"
    assert PartnerProfile.objects.get(partner=other_partner).tagline == "Theirs"


def test_service_refuses_anyone_but_the_partners_admin(partner, partner_member, other_partner_user, staff):
    kwargs = EMPTY | {"tagline": "x"}
    for actor in (partner_member, other_partner_user, staff):
        with pytest.raises(Forbidden):
            services.profile_update(partner=partner, actor=actor, **kwargs)
    assert not PartnerProfile.objects.exists()


def test_non_partner_people_get_404_and_anonymous_goes_to_login(client, client_for, cam):
    assert client.get(URL).status_code == 302
    assert client_for(cam).get(URL).status_code == 404


def test_bad_website_comes_back_with_the_error_under_the_field(client_for, partner_admin):
    response = client_for(partner_admin).post(URL, _post(website="not a url"))
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
    assert not PartnerProfile.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a not really", "logo.gif", "The logo must be a PNG, JPEG or WebP image."),
        (image_bytes("GIF"), "logo.gif", "The logo must be a PNG, JPEG or WebP image."),
        (image_bytes("PNG", size=(2400, 100)), "wide.png", "The logo is 2400 × 100 pixels; at most 2000 × 2000 fits."),
        (b"\x89PNG" + b"0" * (1024 * 1024 + 10), "huge.png", "The logo is larger than 1 MB."),
    ],
)
def test_a_bad_logo_is_refused_with_a_clear_message(client_for, partner_admin, content, name, message):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client_for(partner_admin).post(URL, _post(logo_file=upload))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PartnerProfile.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_a_good_logo_is_re_encoded_and_served(client, client_for, partner_admin, partner, fmt, content_type):
    upload = SimpleUploadedFile(f"logo.{fmt.lower()}", image_bytes(fmt) + b"trailing junk", content_type=content_type)
    assert client_for(partner_admin).post(URL, _post(logo_file=upload)).status_code == 302
    profile = PartnerProfile.objects.get(partner=partner)
    assert profile.logo_content_type == content_type
    assert not bytes(profile.logo).endswith(b"trailing junk")
    client.logout()
    response = client.get(reverse("directory:logo", args=[profile.slug]))
    assert response.status_code == 200 and response["Content-Type"] == content_type


def test_remove_logo(client_for, partner_admin, partner):
    profile_make(partner, slug="own-agency", logo=image_bytes(), logo_content_type="image/png")
    client_for(partner_admin).post(URL, _post(remove_logo="on"))
    profile = PartnerProfile.objects.get(partner=partner)
    assert profile.logo is None and profile.logo_content_type == ""


def test_slug_avoids_taken_and_reserved_addresses(partner_admin, partner):
    profile_make(PartnerFactory(name="Somebody"), slug="own-agency")
    partner.name = "My Profile"
    partner.save()
    assert services.profile_update(partner=partner, actor=partner_admin, **EMPTY).slug == "my-profile-2"


def test_partner_history_names_the_industries_and_countries_an_admin_chose(client_for, partner_admin, partner, staff):
    client_for(partner_admin).post(URL, _post(industries=["retail", "healthcare"], operating_countries=["JP", "DE"]))
    response = client_for(staff).get(reverse("partner-history", args=[partner.partner_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Retail and e-commerce, Healthcare" in html
    assert "Germany, Japan" in html or "Japan, Germany" in html
    assert "Changed: tagline, description, website, services, languages, target industries, operating countries" in html
