"""The cap reduction assistant in a real browser: the demo's over-cap partner gets back within its cap in one
confirmed release, in English at desktop width and in Japanese on a phone (nothing scrolls sideways)."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.people import seed_people
from portal.models import Partner, Role, User
from registrations import demo
from registrations.models import CommissionHold, DomainRegistration, RegistrationEvent
from registrations.services import CAP_ASSISTANT_REASON
from tests.browser_login import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def over_cap_demo_partner() -> tuple[Partner, User]:
    """The demo data's registrations (people and partners first): its over-cap partner and that partner's admin."""
    rng, today = random.Random(7), timezone.localdate()
    people = seed_people(rng=rng, password=TEST_PASSWORD, today=today)
    demo.seed(rng=rng, people=people, today=today)
    partner = Partner.objects.exclude(industries="").get(cam=people.demo_cam)
    return partner, User.objects.get(partner=partner, role=Role.PARTNER_ADMIN)


def _live(partner: Partner) -> int:
    return DomainRegistration.objects.filter(partner=partner, status__in=["pending", "registered"]).count()


def _no_sideways_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate(WIDTH_JS)
    assert scroll_width <= inner_width, (page.url, scroll_width, inner_width)


def _shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def test_over_cap_partner_gets_within_its_cap_in_one_confirmed_release(
    over_cap_demo_partner, page, live_server, tmp_path
):
    partner, admin = over_cap_demo_partner
    cap, live = 10, _live(partner)
    assert live > cap and CommissionHold.objects.filter(partner=partner, ended_on__isnull=True).exists()
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, admin)

    # 1. The home page says how far over the cap and leads to the assistant.
    expect(page.get_by_text(f"{live - cap} registrations over your cap of {cap}")).to_be_visible()
    page.get_by_role("link", name="Open the assistant").click()
    expect(page.get_by_test_id("assistant-used-cap")).to_have_text(f"{live} / {cap}")
    expect(page.locator("[data-testid=candidate]").first).to_contain_text("outside your operating countries")
    expect(page.get_by_test_id("assistant-count")).to_contain_text(f"Afterwards: {cap} of {cap}")
    _shot(page, tmp_path, "assistant")

    # 2. A target at or above the live count is refused beside the field.
    page.fill("#id_target", str(live + 4))
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_test_id("assistant-target-error")).to_contain_text("Choose a target below your")

    # 3. Nothing selected: the counter follows each click (htmx), and reviewing says what is missing.
    page.fill("#id_target", "")
    page.get_by_role("button", name="Propose").click()
    checked = page.locator("[data-testid=candidate] input[type=checkbox]:checked")
    expect(checked).to_have_count(live - cap)
    for _ in range(live - cap):
        checked.first.uncheck()
    expect(page.get_by_test_id("assistant-count")).to_contain_text("0 selected.")
    expect(page.get_by_test_id("assistant-count")).to_contain_text(f"Afterwards: {live} of {cap}")
    page.get_by_test_id("assistant-review").click()
    expect(page.get_by_test_id("assistant-error")).to_have_text("Select the domains to release.")

    # 4. The proposal again, reviewed: the confirmation names the domains and the count afterwards.
    page.get_by_role("button", name="Propose").click()
    page.get_by_test_id("assistant-review").click()
    confirm = page.get_by_test_id("assistant-confirm")
    expect(confirm).to_contain_text(f"Release {live - cap} domains?")
    expect(confirm).to_contain_text("vendas-brasil.com.br")
    expect(confirm).to_contain_text("the hold ends today")
    _shot(page, tmp_path, "assistant-confirm")

    # 5. One confirmed release: back on the assistant with the meter within the cap and the hold ended.
    page.get_by_test_id("assistant-release").click()
    expect(page.get_by_test_id("assistant-used-cap")).to_have_text(f"{cap} / {cap}")
    expect(page.locator(".msg-success")).to_contain_text("The commission hold has ended.")
    assert _live(partner) == cap
    assert CommissionHold.objects.get(partner=partner, started_on=timezone.localdate()).ended_on is not None
    released = RegistrationEvent.objects.filter(registration__partner=partner, reason=CAP_ASSISTANT_REASON)
    assert released.count() == live - cap and {e.actor_id for e in released} == {admin.pk}
    _shot(page, tmp_path, "assistant-done")


def test_in_japanese_on_a_phone_the_cam_releases_down_to_a_chosen_target(
    over_cap_demo_partner, page, live_server, tmp_path
):
    partner, _admin = over_cap_demo_partner
    cap, live = 10, _live(partner)
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "ja", "url": live_server.url}])
    log_in(page, live_server.url, partner.cam)
    page.goto(f"{live_server.url}/registrations/assistant/{partner.partner_id}/")
    expect(page.locator("h1")).to_have_text("登録上限数削減アシスタント")
    _no_sideways_scroll(page)
    _shot(page, tmp_path, "assistant-390-ja")

    page.fill("#id_target", str(live))
    page.get_by_role("button", name="提案を表示").click()
    expect(page.get_by_test_id("assistant-target-error")).to_contain_text("目標は現在の有効な登録数")
    _no_sideways_scroll(page)

    page.fill("#id_target", str(cap - 1))
    page.get_by_role("button", name="提案を表示").click()
    expect(page.locator("[data-testid=candidate] input[type=checkbox]:checked")).to_have_count(live - cap + 1)
    expect(page.get_by_test_id("assistant-count")).to_contain_text(f"解除後：{cap - 1}件／上限{cap}件")
    page.get_by_test_id("assistant-review").click()
    expect(page.get_by_test_id("assistant-confirm")).to_contain_text(f"{live - cap + 1}件のドメインを解除しますか？")
    _no_sideways_scroll(page)
    _shot(page, tmp_path, "assistant-confirm-390-ja")

    page.get_by_test_id("assistant-release").click()
    expect(page.get_by_test_id("assistant-used-cap")).to_have_text(f"{cap - 1} / {cap}")
    expect(page.get_by_test_id("assistant-state")).to_have_text("登録上限数を下回っています。")
    _no_sideways_scroll(page)
    released = RegistrationEvent.objects.filter(registration__partner=partner, reason=CAP_ASSISTANT_REASON)
    assert {e.actor_id for e in released} == {partner.cam_id}
