"""The Solutions Directory in a real browser: an anonymous visitor searches, filters in place and opens a
profile (English at 1366 px, Japanese at 390 px, nothing scrolls sideways); an org admin edits the profile
(a bad website and a bad logo show under their fields; a good save shows the new logo on the public page).

Screenshots of each step go to the test's temporary directory (set PORTAL_SHOTS=dir to keep them);
the ones in docs/screenshots/directory-*.png are taken from the demo data.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from directory.models import PartnerProfile
from directory.tests.helpers import image_bytes, profile_make
from portal.models import Region, Tier
from tests.browser_login import log_in
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(os.environ.get("PORTAL_SHOTS") or tempfile.mkdtemp(prefix="directory-shots-"))
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def listings(db):
    """Twelve public listings over three regions, one with a long name, and one hidden listing."""
    made = []
    for n in range(12):
        region, country = [(Region.JAPAN, "JP"), (Region.EMEA, "DE"), (Region.NORTH_AMERICA, "US")][n % 3]
        partner = PartnerFactory(
            name=f"Agency {n:02d}" if n else "International Enterprise Inbound Solutions Holdings Group",
            region=region,
            country=country,
            tier=[Tier.GOLD, Tier.PLATINUM, Tier.DIAMOND, Tier.ELITE][n % 4],
        )
        partner.operating_countries = [country, "SG", "AU", "GB"]
        partner.industries = ["retail", "software"]
        partner.save()
        made.append(
            profile_make(
                partner,
                slug=f"agency-{n:02d}",
                services=["website", "crm_implementation", "revops"],
                languages=["ja", "en"] if region == Region.JAPAN else ["en"],
                logo=image_bytes() if n % 2 else None,
                logo_content_type="image/png" if n % 2 else "",
            )
        )
    hidden = profile_make(PartnerFactory(name="Hidden Agency"), slug="hidden-agency")
    PartnerProfile.objects.filter(pk=hidden.pk).update(hidden_at="2026-01-01T00:00:00Z")
    return made


@pytest.fixture
def visitor(browser, live_server):
    """`visitor(viewport, language)`: an anonymous page in its own context; console errors (CSP violations
    among them) and failed requests fail the test."""
    contexts, problems = [], []

    def open_page(viewport=DESKTOP, language="en"):
        context = browser.new_context(viewport=viewport, locale="ja-JP" if language == "ja" else "en-GB")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None,
        )
        page.on("response", lambda r: problems.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert problems == []


def _no_sideways_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate(WIDTH_JS)
    assert scroll_width <= inner_width, (page.url, scroll_width)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), type="png")


def test_anonymous_visitor_filters_in_place_and_opens_a_profile_in_english(listings, visitor, live_server):
    page = visitor()
    page.goto(f"{live_server.url}/directory/")
    expect(page.locator("h1")).to_have_text("Solutions Directory")
    expect(page.locator(".results-count")).to_have_text("12 partners")
    expect(page.locator(".partner-card")).to_have_count(12)
    assert "Hidden Agency" not in page.content()
    _no_sideways_scroll(page)
    _shot(page, "directory-search")

    page.select_option("#id_region", "emea")  # htmx swaps the results and pushes the URL
    expect(page.locator(".results-count")).to_have_text("4 partners")
    expect(page).to_have_url(
        f"{live_server.url}/directory/?q=&region=emea&country=&language=&service=&industry=&tier=&accreditation=&sort=relevance"
    )
    page.fill("#id_q", "agency 04")
    expect(page.locator(".results-count")).to_have_text("1 partner")
    page.fill("#id_q", "no such agency")
    expect(page.locator(".empty-state")).to_contain_text("No partner matches these filters.")
    page.fill("#id_q", "")
    expect(page.locator(".results-count")).to_have_text("4 partners")

    page.click("text=Agency 01")
    expect(page.locator("h1")).to_have_text("Agency 01")
    expect(page.locator("[data-testid=tier]")).to_have_text("Platinum")
    expect(page.locator(".profile-head img")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "directory-profile")


def test_japanese_visitor_on_a_phone_searches_and_reads_a_profile(listings, visitor, live_server):
    page = visitor(PHONE, "ja")
    page.goto(f"{live_server.url}/directory/")
    expect(page.locator("h1")).to_have_text("ソリューションディレクトリ")
    expect(page.locator(".results-count")).to_have_text("12社")
    _no_sideways_scroll(page)
    _shot(page, "directory-search-390-ja")
    page.select_option("#id_language", "ja")
    expect(page.locator(".results-count")).to_have_text("4社")
    _no_sideways_scroll(page)
    page.click(".partner-card >> nth=0 >> h3 a")
    expect(page.locator("#h-reviews")).to_have_text("クライアントレビュー")
    expect(page.locator("text=公開されたレビューはまだありません。")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "directory-profile-390-ja")
    # The language links (in the folded menu on a phone) switch to English on the same page.
    page.click("summary")
    page.click("a[lang=en]")
    expect(page.locator("#h-reviews")).to_have_text("Client reviews")


def test_org_admin_fixes_errors_and_saves_the_profile_with_a_logo(page, live_server, partner_admin, partner, tmp_path):
    bad_logo = tmp_path / "logo.png"
    bad_logo.write_bytes(b"not an image at all")
    good_logo = tmp_path / "good.png"
    good_logo.write_bytes(image_bytes(size=(300, 300)))
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, partner_admin)
    page.click("text=Your profile in the Solutions Directory")
    expect(page.locator("h1")).to_have_text("Your directory profile")

    page.fill("#id_tagline", "Inbound for Japanese manufacturers")
    page.fill("#id_website", "not a web address")
    page.check("input[name=services][value=website]")
    page.select_option("#id_operating_countries", ["JP", "SG"])
    page.click("#profile-form button[type=submit]")
    expect(page.locator("#id_website_error")).to_contain_text("Enter a valid URL.")
    expect(page.locator("#id_tagline")).to_have_value("Inbound for Japanese manufacturers")
    _no_sideways_scroll(page)

    page.fill("#id_website", "https://own.example")
    page.set_input_files("#id_logo_file", str(bad_logo))
    page.click("#profile-form button[type=submit]")
    expect(page.locator("#id_logo_file_error")).to_contain_text("The logo must be a PNG, JPEG or WebP image.")
    page.locator("#id_logo_file").scroll_into_view_if_needed()
    _shot(page, "directory-profile-edit-error")

    page.set_input_files("#id_logo_file", str(good_logo))
    page.click("#profile-form button[type=submit]")
    expect(page.locator(".msg-success")).to_have_text("Your directory profile is saved.")
    profile = PartnerProfile.objects.get(partner=partner)
    assert profile.website == "https://own.example" and profile.logo_content_type == "image/png"

    page.click("text=See your public profile")
    expect(page.locator("h1")).to_have_text("Own Agency")
    expect(page.locator(".partner-tagline")).to_have_text("Inbound for Japanese manufacturers")
    expect(page.locator(".profile-head img")).to_be_visible()
    expect(page.locator("text=Japan, Singapore")).to_be_visible()
