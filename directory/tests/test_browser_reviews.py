"""Client reviews in a real browser: the partner invites (a refusal under the field, then success), the client
follows the emailed link and reviews (an error first), staff publish it, the partner sees it published and staff
find the partner in the Global Partner of the Year ranking with its figures. English at 1366 px, Japanese at
390 px; no page scrolls sideways. Screenshots go to docs/screenshots/reviews-*.png."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from directory import review_forms
from directory.models import Review, ReviewStatus
from directory.tests.helpers import profile_make
from tests.browser_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def open_as(browser, live_server):
    """`open_as(user or None, viewport, language)`: a page in its own context (logged in unless None)."""
    contexts = []

    def open_page(user, viewport, language):
        context = browser.new_context(viewport=viewport)
        if language:
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        return log_in(page, live_server.url, user) if user is not None else page

    yield open_page
    for context in contexts:
        context.close()


def _fits(page) -> None:
    """No sideways scroll, and axe-core finds no serious or critical accessibility violation."""
    scroll_width, inner_width = page.evaluate(WIDTH_JS)
    assert scroll_width <= inner_width, f"{page.url} scrolls sideways: {scroll_width} > {inner_width}"
    violations = [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not violations, f"{page.url}: {violations}"


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"reviews-{name}.png"), full_page=True)


def _world(partner):
    """This year's January and current month for the partner, and one customer."""
    Snapshot, RuleSet, JobRun = (
        apps.get_model(*m) for m in (("tiers", "MonthlySnapshot"), ("tiers", "RuleSet"), ("portal", "JobRun"))
    )
    CustomerMRR = apps.get_model("tiers", "CustomerMRR")
    today = timezone.localdate()
    rules = RuleSet.objects.create(
        name="Browser rules",
        framework="points",
        effective_from=today.replace(year=2020, month=1, day=1),
        status="published",
        published_at=timezone.now(),
        emerging_market_multiplier=2,
    )
    apps.get_model("tiers", "CurrencyCoefficient").objects.create(rule_set=rules, currency="USD", sales=1, managed=1)
    for month, usd in ((today.replace(month=1, day=1), "12000"), (today.replace(day=1), "15000")):
        run = JobRun.objects.create(job="monthly_evaluation", period=f"{month:%Y-%m}", started_at=timezone.now())
        Snapshot.objects.get_or_create(
            partner=partner,
            month=month,
            defaults={
                "rule_set": rules,
                "run": run,
                "sold_mrr_usd": Decimal(usd),
                "achieved_tier": "solutions_partner",
            },
        )
        CustomerMRR.objects.get_or_create(
            partner=partner,
            month=month,
            customer_domain="client-co.com",
            defaults={"customer_country": "US", "currency": "USD", "sold_mrr": Decimal(usd), "managed_mrr": 0},
        )
    return today.year


@pytest.mark.parametrize(("language", "viewport", "suffix"), [("en", DESKTOP, ""), ("ja", PHONE, "-390-ja")])
def test_invite_review_publish_and_rank(
    open_as, live_server, partner, partner_admin, staff, monkeypatch, language, viewport, suffix
):
    monkeypatch.setattr(review_forms, "MIN_SECONDS_TO_SUBMIT", 0)
    year = _world(partner)
    profile_make(partner, slug="browser-agency")
    base = live_server.url

    # 1. The partner invites: a non-customer address is refused under the field, a customer's is sent.
    page = open_as(partner_admin, viewport, language)
    page.goto(f"{base}/directory/reviews/")
    page.fill("#id_contact_name", "Jane Client")
    page.fill("#id_email", "jane@not-a-customer.com")
    page.select_option("#id_language", language)
    page.click("#invite-form button[type=submit]")
    expect(page.locator("#id_email_error")).to_contain_text("not-a-customer.com")
    _fits(page)
    _shot(page, f"invite-refused{suffix}")
    page.fill("#id_email", "jane@client-co.com")
    page.click("#invite-form button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("jane@client-co.com")
    expect(page.locator("#invitations")).to_contain_text("jane@client-co.com")

    # 2. The client opens the link from the email (in the invitation's language) and reviews it.
    # Sent through the outbox by now; the test transport keeps what went out (the outbox row forgets the body).
    (email,) = [m for m in mail.outbox if "jane@client-co.com" in m.to]
    found = re.search(r"/directory/review/[\w-]+", email.body)
    assert found, email.body
    link = found.group(0)
    client = open_as(None, viewport, None)
    client.goto(base + link)
    expect(client.locator("html")).to_have_attribute("lang", language)
    client.fill("#id_title", "Our CRM finally works")
    client.fill("#id_body", "They moved every pipeline and trained our sales team in two weeks.")
    client.fill("#id_reviewer_title", "COO")
    client.check("#id_consent")
    client.click("#review-form button[type=submit]")
    expect(client.locator("#id_rating_error")).to_be_visible()
    _fits(client)
    _shot(client, f"write-error{suffix}")
    client.check("#id_rating_0")  # 5 — Excellent
    client.click("#review-form button[type=submit]")
    expect(client.locator("[role=status]")).to_contain_text(partner.name)
    assert Review.objects.get().status == ReviewStatus.PENDING

    # 3. Staff publish it from the moderation queue.
    desk = open_as(staff, viewport, language)
    desk.goto(f"{base}/directory/reviews/moderation/")
    expect(desk.locator("article.review")).to_contain_text("Our CRM finally works")
    _fits(desk)
    _shot(desk, f"moderation{suffix}")
    desk.locator("article.review form.inline button[type=submit]").click()
    expect(desk.locator(".msg-success")).to_contain_text(partner.name)
    assert Review.objects.get().status == ReviewStatus.PUBLISHED

    # 4. The partner sees it published.
    page.goto(f"{base}/directory/reviews/")
    review = page.locator("article.review")
    expect(review).to_contain_text("Our CRM finally works")
    expect(review.locator(".badge-ok")).to_be_visible()
    _fits(page)
    _shot(page, f"partner{suffix}")

    # 4b. Anyone reads it on the partner's public directory profile, with its five stars.
    client.goto(f"{base}/directory/browser-agency/")
    expect(client.locator("main")).to_contain_text("Our CRM finally works")
    expect(client.locator("main")).to_contain_text("COO")
    _fits(client)

    # 5. Staff find the partner in the ranking with its figures.
    desk.goto(f"{base}/directory/partner-of-the-year/?year={year}")
    row = desk.locator(f"#gpoy-{partner.partner_id}")
    expect(row).to_contain_text(partner.name)
    expect(row).to_contain_text("125.00%")  # 12,000 → 15,000 USD, all of it from the one January customer
    expect(row).to_contain_text("$12,000.00 → $15,000.00")
    expect(row).to_contain_text("5.00")
    _fits(desk)
    _shot(desk, f"partner-of-the-year{suffix}")
