"""The rule-set editor speaks the programme's language: "AUD 105 = US$100", tiers in ladder order,
what-if and publish on the draft's page, and the what-if targets staff edit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import Tier
from tests.factories import PartnerFactory, StaffFactory
from tiers import services
from tiers.demo import EQUAL_TO_USD100, _coefficients
from tiers.models import CurrencyCoefficient, ProgrammeTargets, RuleSet, RuleSetStatus
from tiers.rule_set_editor import coefficient_for, stated
from tiers.tests.dashboard_factories import mrr_make, rule_set_make
from tiers.whatif import what_if

D = Decimal
OCT = dt.date(2025, 10, 1)
pytestmark = pytest.mark.django_db


def _seed_like_rule_set(*, draft: bool = True) -> RuleSet:
    return services.rule_set_import(
        data={
            "name": "Points FY2026",
            "framework": "points",
            "effective_from": "2026-07-01",
            "emerging_market_multiplier": "2",
            "coefficients": _coefficients(),
            "tiers": {
                "gold": {"points": "300", "min_sales_points": "90"},
                "platinum": {"points": "1000", "min_sales_points": "300"},
                "diamond": {"points": "3000", "min_sales_points": "900"},
                "elite": {"points": "9000", "min_sales_points": "2700"},
            },
        },
        draft=draft,
    )


def _post_data(response) -> dict[str, str]:
    """The admin change form as the browser would submit it unchanged (main form and every inline)."""
    data: dict[str, str] = {}

    def put(form, prefix: str = "") -> None:
        for name in form.fields:
            value = form[name].value()
            key = f"{prefix}{name}" if not form.prefix else f"{form.prefix}-{name}"
            if value is None or value is False:
                continue
            data[key] = "on" if value is True else str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data


def _with_new_coefficient(
    data: dict[str, str], *, currency: str, equal_to_usd100: str, **fields: str
) -> dict[str, str]:
    """`data` with one more coefficient row: `currency`, the amount equal to US$100, 3 sales / 1 managed point."""
    total = int(data["coefficients-TOTAL_FORMS"])
    row = {
        "currency": currency,
        "equal_to_usd100": equal_to_usd100,
        "sales_per_usd100": "3",
        "managed_per_usd100": "1",
        **fields,
    }
    return {
        **data,
        "coefficients-TOTAL_FORMS": str(total + 1),
        **{f"coefficients-{total}-{name}": value for name, value in row.items()},
    }


# --- the programme's language -------------------------------------------------------------


def test_editor_stores_exactly_what_the_importer_stores_for_every_seed_currency():
    imported = _seed_like_rule_set()
    stored = {c.currency: (c.sales, c.managed) for c in imported.coefficients.all()}

    for currency, amount in EQUAL_TO_USD100.items():
        typed = (
            coefficient_for(points_per_usd100=D(3), equal_to_usd100=amount),
            coefficient_for(points_per_usd100=D(1), equal_to_usd100=amount),
        )
        assert typed == stored[currency], currency


def test_stored_coefficients_read_back_as_the_seed_states_them():
    rule_set = _seed_like_rule_set()
    usd = rule_set.coefficients.values_list("sales", "managed").get(currency="USD")
    rows = {c.currency: stated(coefficient=c, usd=usd) for c in rule_set.coefficients.all()}

    assert rows["AUD"].sentence == "AUD 105 = US$100"
    assert rows["JPY"].sentence == "JPY 12,000 = US$100"
    assert rows["GBP"].sentence == "GBP 62.50 = US$100"
    assert (rows["COP"].sales_per_usd100, rows["COP"].managed_per_usd100) == (D(3), D(1))
    # The form's inputs show plain figures, as the seed writes them.
    assert [str(rows[c].equal_to_usd100) for c in ("JPY", "BRL", "USD", "GBP", "COP")] == [
        "12000",
        "500",
        "100",
        "62.50",
        "300300",
    ]


def test_staff_enter_aud_105_equal_to_usd100_and_the_engine_gets_3_over_105(client_for, staff):
    rule_set = _seed_like_rule_set()
    rule_set.coefficients.filter(currency="AUD").delete()
    client = client_for(staff)
    url = reverse("admin:tiers_ruleset_change", args=[rule_set.pk])
    data = _with_new_coefficient(
        _post_data(client.get(url)), currency="aud", equal_to_usd100="105", rule_set=str(rule_set.pk)
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    aud = CurrencyCoefficient.objects.get(rule_set=rule_set, currency="AUD")
    assert (aud.sales, aud.managed) == (D("0.028571428571"), D("0.009523809524"))
    page = client.get(url).content.decode()
    assert "0.028571428571 / 0.009523809524" in page


def test_saving_the_page_unchanged_leaves_every_coefficient_as_imported(client_for, staff):
    rule_set = _seed_like_rule_set()
    before = list(rule_set.coefficients.order_by("currency").values_list("currency", "sales", "managed"))
    client = client_for(staff)
    url = reverse("admin:tiers_ruleset_change", args=[rule_set.pk])

    assert client.post(url, _post_data(client.get(url))).status_code == 302

    assert list(rule_set.coefficients.order_by("currency").values_list("currency", "sales", "managed")) == before


@pytest.mark.parametrize(
    ("currency", "amount", "message"),
    [("USD", "101", "US$100 is 100 US dollars."), ("XXQ", "100", "Not an ISO 4217 currency code.")],
)
def test_bad_coefficient_rows_are_refused_and_nothing_changes(client_for, staff, currency, amount, message):
    rule_set = _seed_like_rule_set()
    rule_set.coefficients.filter(currency="USD").delete()
    client = client_for(staff)
    url = reverse("admin:tiers_ruleset_change", args=[rule_set.pk])
    data = _with_new_coefficient(_post_data(client.get(url)), currency=currency, equal_to_usd100=amount)

    response = client.post(url, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not rule_set.coefficients.filter(currency=currency).exists()


def test_requirements_are_listed_gold_platinum_diamond_elite(client_for, staff):
    rule_set = _seed_like_rule_set()
    response = client_for(staff).get(reverse("admin:tiers_ruleset_change", args=[rule_set.pk]))
    requirements = next(i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "requirements")

    order = [(form.instance.tier, form.instance.metric) for form in requirements.formset.forms]

    assert order == [(tier, metric) for tier in Tier.ladder() for metric in ("points", "min_sales_points")]


def test_a_judged_rule_set_shows_its_coefficients_as_stated_and_read_only(client_for, staff):
    rule_set = _seed_like_rule_set(draft=False)
    PartnerFactory()
    services.month_evaluate(month=dt.date(2026, 7, 1))
    page = client_for(staff).get(reverse("admin:tiers_ruleset_change", args=[rule_set.pk])).content.decode()

    assert "JPY 12,000 = US$100: 3 sales and 1 managed points per US$100" in page
    assert 'name="coefficients-0-equal_to_usd100"' not in page


# --- run what-if and publish from the draft's page ----------------------------------------


@pytest.fixture
def draft(dashboard_day):
    rule_set_make(name="In force")
    draft = rule_set_make(
        name="FY2026 draft",
        effective_from=dt.date(2026, 7, 16),
        status=RuleSetStatus.DRAFT,
        thresholds={
            Tier.GOLD: (D(500), D(350)),
            Tier.PLATINUM: (D(1100), D(1100)),
            Tier.DIAMOND: (D(5000), D(1000)),
            Tier.ELITE: (D(40000), D(8000)),
        },
    )
    for name, (sold, managed) in {"A": (200000, 0), "B": (40000, 0), "D": (0, 100000)}.items():
        mrr_make(
            partner=PartnerFactory(name=f"Partner {name}"),
            month=OCT,
            domain=f"{name}.example",
            sold=sold,
            managed=managed,
        )
    return draft


def test_a_draft_page_has_run_whatif_and_publish_buttons(client_for, staff, draft):
    published = RuleSet.objects.get(name="In force")
    client = client_for(staff)

    page = client.get(reverse("admin:tiers_ruleset_change", args=[draft.pk])).content.decode()
    published_page = client.get(reverse("admin:tiers_ruleset_change", args=[published.pk])).content.decode()

    whatif = f"{reverse('tiers:whatif')}?rule_set={draft.pk}&amp;month=2025-10-01"
    assert whatif in page
    assert reverse("admin:tiers_ruleset_publish", args=[draft.pk]) in page
    assert "ruleset-whatif" not in published_page and "ruleset-publish" not in published_page
    assert client.get(whatif.replace("&amp;", "&")).context["result"].rule_set == draft


def test_publishing_asks_first_naming_the_partners_who_move(client_for, staff, draft):
    client = client_for(staff)
    url = reverse("admin:tiers_ruleset_publish", args=[draft.pk])
    expected = what_if(rule_set=draft, month=OCT)

    confirm = client.get(url)

    preview = confirm.context["preview"]
    assert {row.tier: (row.now, row.after) for row in preview.tiers} == {
        s.tier: (s.current, s.draft) for s in expected.shares
    }
    assert (preview.up_count, preview.down_count) == (expected.up_count, expected.down_count)
    assert preview.moving > 0
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT  # asking changed nothing

    response = client.post(url)

    draft.refresh_from_db()
    assert response.status_code == 302 and draft.status == RuleSetStatus.PUBLISHED
    assert draft.published_by == staff


def test_a_published_rule_set_has_nothing_to_confirm(client_for, staff, draft):
    published = RuleSet.objects.get(name="In force")
    response = client_for(staff).get(reverse("admin:tiers_ruleset_publish", args=[published.pk]))
    assert response.url == reverse("admin:tiers_ruleset_change", args=[published.pk])


def test_staff_without_the_publish_permission_get_no_button_and_no_confirmation(client_for, draft):
    viewer = StaffFactory(groups=[])
    viewer.user_permissions.add(*_perms("view_ruleset", "change_ruleset"))
    client = client_for(viewer)

    page = client.get(reverse("admin:tiers_ruleset_change", args=[draft.pk])).content.decode()

    assert "ruleset-publish" not in page
    assert client.post(reverse("admin:tiers_ruleset_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT


def _perms(*codenames: str):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="tiers", codename__in=codenames)


# --- what-if targets are settings ---------------------------------------------------------


def test_whatif_reads_the_targets_staff_saved(client_for, staff, draft):
    client = client_for(staff)
    change = reverse("admin:tiers_programmetargets_change", args=[ProgrammeTargets.get().pk])
    assert change in client.get(reverse("admin:tiers_programmetargets_changelist")).content.decode()

    client.post(change, {"elite_percent": "2", "diamond_percent": "15", "platinum_percent": "45"})

    shares = {s.tier: s.target for s in what_if(rule_set=draft, month=OCT).shares}
    assert (shares[Tier.ELITE], shares[Tier.DIAMOND], shares[Tier.PLATINUM]) == (D(2), D(15), D(45))
    assert ProgrammeTargets.history.filter(history_user=staff).exists()


def test_targets_must_grow_down_the_ladder(client_for, staff):
    client = client_for(staff)
    change = reverse("admin:tiers_programmetargets_change", args=[ProgrammeTargets.get().pk])

    response = client.post(change, {"elite_percent": "20", "diamond_percent": "10", "platinum_percent": "40"})

    assert response.status_code == 200
    assert ProgrammeTargets.current().elite_percent == D(1)
