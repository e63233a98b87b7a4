"""The portal in a real browser: phone and desktop layout, accessibility (axe-core), focus, wayfinding.

One logged-in browser context per persona; each test loops over that persona's pages.
Screenshots are for people, not for these tests (scripts/screenshots.py).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser_login import log_in
from tests.browser_scene import STAFF_PAGES, build_scene, cam_pages, partner_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"
# Rendered size of the chart's axis text in CSS px: font size × how much the SVG is scaled.
AXIS_PX_JS = """() => {
  const svg = document.querySelector('[data-testid=points-chart] svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Math.min(...[...svg.querySelectorAll('text.axis-label')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
}"""


@pytest.fixture
def scene(partner, partner_admin, cam, staff, other_partner):
    return build_scene(partner=partner, admin=partner_admin, cam=cam)


@pytest.fixture
def open_as(browser, live_server):
    """`open_as(user, viewport, language)`: a new logged-in page in its own browser context."""
    contexts = []

    def open_page(user, viewport=DESKTOP, language="en"):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        if user is None:
            page.goto(f"{live_server.url}/accounts/login/")
            return page
        return log_in(page, live_server.url, user)

    yield open_page
    for context in contexts:
        context.close()


def _too_wide(page, base: str, paths: list[str]) -> list[tuple[str, int]]:
    wide = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        scroll_width, inner_width = page.evaluate(WIDTH_JS)
        if scroll_width > inner_width:
            wide.append((path, scroll_width))
    return wide


# --- phone and desktop ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_partner_or_cam_page_scrolls_sideways_on_a_phone(open_as, live_server, scene, partner_admin, cam, language):
    base = live_server.url
    page = open_as(partner_admin, PHONE, language)
    assert _too_wide(page, base, partner_pages(scene)) == []
    cam_page = open_as(cam, PHONE, language)
    assert _too_wide(cam_page, base, cam_pages(scene)) == []


def test_phone_navigation_is_a_menu_and_the_chart_stays_legible(open_as, live_server, scene, partner_admin):
    page = open_as(partner_admin, PHONE)
    page.goto(f"{live_server.url}/registrations/deals/")
    menu = page.locator(".site-menu > summary")
    assert menu.is_visible()
    deals_link = page.locator("nav.nav a", has_text="Deals")
    assert not deals_link.is_visible()  # folded: one row of header, not four
    assert page.locator("header.topbar").bounding_box()["height"] < 90
    menu.click()
    assert deals_link.is_visible()
    assert deals_link.get_attribute("aria-current") == "page"
    page.locator("nav.nav a", has_text="My tier").click()
    page.wait_for_url(f"{live_server.url}/tiers/")
    assert page.evaluate(AXIS_PX_JS) >= 10
    # The chart scrolls in its own labelled box instead of shrinking.
    box = page.locator(".chart-scroll")
    assert box.get_attribute("tabindex") == "0"
    assert page.evaluate(
        "document.querySelector('.chart-scroll').scrollWidth > document.querySelector('.chart-scroll').clientWidth"
    )


def test_desktop_shows_the_navigation_open_and_nothing_scrolls_sideways(open_as, live_server, scene, partner_admin):
    page = open_as(partner_admin, DESKTOP)
    assert not page.locator(".site-menu > summary").is_visible()
    assert page.locator("nav.nav a", has_text="Enablement").is_visible()
    assert _too_wide(page, live_server.url, partner_pages(scene)) == []
    page.goto(f"{live_server.url}/tiers/")
    assert page.evaluate(AXIS_PX_JS) >= 11


# --- accessibility -------------------------------------------------------------------------------------------


def _serious(page, axe: Axe) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_main_page_has_no_serious_accessibility_violation(
    open_as, live_server, scene, partner_admin, cam, staff, language
):
    axe = Axe()
    base = live_server.url
    problems = []
    walks = [
        (None, ["/accounts/login/"]),
        (partner_admin, partner_pages(scene)),
        (cam, cam_pages(scene)),
        (staff, STAFF_PAGES),
    ]
    for user, paths in walks:
        page = open_as(user, DESKTOP, language)
        assert page.locator("html").get_attribute("lang") == language
        for path in paths:
            page.goto(base + path)
            problems += _serious(page, axe)
    # The phone layout too: the menu open, on the two busiest pages.
    page = open_as(partner_admin, PHONE, language)
    for path in ("/", "/registrations/"):
        page.goto(base + path)
        page.locator(".site-menu > summary").click()
        problems += _serious(page, axe)
    assert problems == []


def test_focus_ring_is_visible_on_every_kind_of_control(open_as, live_server, scene, partner_admin):
    page = open_as(partner_admin, DESKTOP)
    page.goto(f"{live_server.url}/registrations/")
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                 return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"""
        )
        tag, style, width, color = focused
        assert style != "none" and width >= 2, focused
        assert color == "rgb(29, 78, 216)", focused
        seen.add(tag)
    assert {"A", "SELECT", "INPUT", "BUTTON"} <= seen


# --- what the pages say ------------------------------------------------------------------------------------


def test_partner_finds_what_needs_attention_and_the_pages_agree(open_as, live_server, scene, partner_admin):
    base = live_server.url
    page = open_as(partner_admin, PHONE)
    attention = page.locator("[data-testid=attention]")
    first = attention.locator("li").first
    assert first.get_attribute("data-attention") == "tier-outlook"
    assert "Your tier is at risk" in first.inner_text()
    first.locator("a").click()
    page.wait_for_url(f"{base}/tiers/")
    # The at-risk partner's page leads with keeping Platinum, and What it takes defaults to it.
    keep = page.locator("[data-testid=keep-tier]")
    assert "What it takes to keep Platinum" in keep.inner_text()
    assert keep.bounding_box()["y"] < page.locator("#h-current").bounding_box()["y"]
    assert page.locator("#id_gap_tier").input_value() == "platinum"
    assert page.locator("[data-testid=gap-current]").is_visible()
    growth = page.locator("section[aria-labelledby=h-growth]")
    assert growth.locator(".big").inner_text().startswith("−")
    assert growth.locator(".bar-fill rect").get_attribute("width") == "0"
    # The award badge explains itself.
    page.locator(".award-badges a").first.click()
    page.wait_for_url(f"{base}/enablement/awards/#award-*")
    assert "The partner whose customers get the best service" in page.locator("main").inner_text()
    assert page.locator("nav.nav a[aria-current=page]").text_content() == "Enablement"


def test_copy_matches_the_facts_on_each_page(open_as, live_server, scene, partner_admin):
    base = live_server.url
    page = open_as(partner_admin, DESKTOP)
    page.goto(f"{base}/registrations/deals/{scene.deal_id}/")
    assert page.locator("#notes li").count() == 0
    assert page.locator("[data-testid=notes-empty]").inner_text() == "No notes yet."
    page.goto(f"{base}/community/hug/{scene.hug_id}/")
    assert "September meetup" not in page.locator("#hug-events").inner_text()
    assert "Workflows 101" in page.locator("#hug-events").inner_text()
    page.goto(f"{base}/community/")
    assert page.locator(f"#pug-{scene.pug_group_id} .badge").inner_text() == "Accepted"
    page.goto(f"{base}/registrations/?status=released")
    assert page.locator(f"#registration-{scene.released_id} .expires").inner_text().strip() == ""
    page.goto(f"{base}/enablement/")
    assert "No accreditation is open to your tier yet" not in page.locator("main").inner_text()


def test_cam_home_says_how_many_decisions_wait(open_as, live_server, scene, cam):
    page = open_as(cam, DESKTOP)
    item = page.locator("[data-attention=decisions]")
    assert "20 registrations wait for your decision; the oldest has waited" in item.inner_text()
    item.locator("a").click()
    page.wait_for_url(f"{live_server.url}/registrations/queue/")
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "Approvals"
