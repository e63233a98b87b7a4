"""The rule-set editor in a real browser: staff type "AUD 105 = US$100" and see the coefficient the engine uses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tiers.models import CurrencyCoefficient, RuleSetStatus
from tiers.tests.dashboard_factories import rule_set_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_enter_aud_105_equal_to_usd100_and_see_the_engine_coefficient(browser_login, staff, live_server):
    draft = rule_set_make(name="FY2027 draft", status=RuleSetStatus.DRAFT)
    draft.coefficients.filter(currency="AUD").delete()
    page = browser_login(staff)
    page.goto(f"{live_server.url}/admin/tiers/ruleset/{draft.pk}/change/")
    group = page.locator("#coefficients-group")
    before = group.locator("tr.form-row.has_original").count()

    group.locator(".add-row a").click()
    row = group.locator("tr.form-row.dynamic-coefficients").last
    row.locator("input[name$=-currency]").fill("AUD")
    row.locator("input[name$=-equal_to_usd100]").fill("105")
    # A new row starts with the programme's public figures: 3 sales and 1 managed point per US$100.
    assert row.locator("input[name$=-sales_per_usd100]").input_value() == "3"
    assert row.locator("input[name$=-managed_per_usd100]").input_value() == "1"
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()

    assert page.locator(".messagelist .success").count() == 1
    saved = page.locator("#coefficients-group tr.form-row.has_original")
    assert saved.count() == before + 1
    aud = saved.filter(has=page.locator("input[name$=-currency][value=AUD]"))
    assert aud.locator("input[name$=-equal_to_usd100]").input_value() == "105"
    assert aud.locator("td.field-engine_coefficients").inner_text().strip() == "0.028571428571 / 0.009523809524"
    stored = CurrencyCoefficient.objects.get(rule_set=draft, currency="AUD")
    assert (stored.sales, stored.managed) == (Decimal("0.028571428571"), Decimal("0.009523809524"))
