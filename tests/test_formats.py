"""The one formatting helper (portal/formats.py): money, numbers, points, domains, dates, time zones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from portal import formats
from portal.timezones import zone_for_country
from registrations.forms import DealForm, default_currency
from registrations.services import RegistrationError, deal_submit
from tests.factories import DealFactory


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("480000", "JPY", "ja", "￥480,000"),
        ("480000", "JPY", "en", "¥480,000"),
        ("501785.00", "JPY", "en", "¥501,785"),
        ("1556", "GBP", "en", "£1,556.00"),
        ("1556", "GBP", "ja", "£1,556.00"),
        ("12.5", "KWD", "en", "KWD12.500"),
        ("1234.5", "USD", "en", "$1,234.50"),
        (None, "USD", "en", "—"),
    ],
)
def test_money_uses_the_currencys_minor_units_and_the_readers_locale(amount, currency, language, expected):
    value = Decimal(amount) if amount is not None else None
    assert formats.money(value, currency, language=language) == expected


def test_minor_units_come_from_cldr():
    assert (formats.minor_units("JPY"), formats.minor_units("GBP"), formats.minor_units("KWD")) == (0, 2, 3)


def test_points_and_counts_are_grouped_whole_numbers():
    assert formats.points(Decimal("12345.6"), language="ja") == "12,346"
    assert formats.points(Decimal("12345.6"), language="en") == "12,346"
    assert formats.number(1500, language="en") == "1,500"
    assert formats.number(Decimal("0.125"), places=2, language="en") == "0.12"
    assert formats.amount(Decimal("501785.00"), "JPY", language="en") == "501,785"
    assert formats.amount(Decimal("1556"), "GBP", language="en") == "1,556.00"


TRICKY_FIGURES = ["0", "-0", "0.005", "0.015", "0.025", "-0.001", "-0.005", "2.5", "3.5", "-2.5", "999.995"]
TRICKY_FIGURES += ["-999.995", "1234567.895", "100", "1E+3", "-1E+3", "0.0000001", "12345.6", "123456789012345678.5"]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_fixed_places_are_formatted_exactly_as_babel_does(language, places):
    # `number(places=…)` binds the locale's symbols once instead of calling NumberPattern.apply: the
    # text must stay Babel's, rounding (half-even), negative zero and grouping included.
    import random

    from babel import Locale

    rng = random.Random(15)
    figures = [Decimal(text) for text in TRICKY_FIGURES]
    figures += [Decimal(rng.randint(-(10**12), 10**12)).scaleb(-rng.randint(0, 8)) for _ in range(2000)]
    pattern = formats._fixed_pattern(places)
    for figure in figures:
        assert formats.number(figure, places=places, language=language) == pattern.apply(
            figure, Locale.parse(language)
        ), figure


def test_template_filters_follow_the_active_language():
    template = Template("{% load portal_format %}{{ v|money:'JPY' }} {{ n|points }} {{ d|idn }}")
    context = Context({"v": Decimal("480000"), "n": Decimal("1234"), "d": "xn--r8jz45g.jp"})
    with translation.override("ja"):
        assert template.render(context) == "￥480,000 1,234 例え.jp"
    with translation.override("en"):
        assert template.render(context) == "¥480,000 1,234 例え.jp"


@pytest.mark.parametrize(
    ("amount", "currency", "refused"),
    [
        ("480000.5", "JPY", True),
        ("480000", "JPY", False),
        ("480000.00", "JPY", False),
        ("1.234", "GBP", True),
        ("1.23", "GBP", False),
        ("1.234", "KWD", False),
        ("1.2345", "KWD", True),
    ],
)
def test_amounts_with_more_decimals_than_the_currency_are_refused(amount, currency, refused):
    if refused:
        with pytest.raises(ValidationError) as info:
            formats.check_minor_units(Decimal(amount), currency)
        assert info.value.messages[0].startswith(f"{currency} amounts have")
        assert info.value.messages[0].endswith(".")
    else:
        formats.check_minor_units(Decimal(amount), currency)


def test_yen_with_decimals_is_refused_in_japanese_too():
    with translation.override("ja"), pytest.raises(ValidationError) as info:
        formats.check_minor_units(Decimal("480000.5"), "JPY")
    assert info.value.messages[0] == "JPYの金額に小数はありません。480,000のように整数で入力してください。"


def test_deal_form_and_service_refuse_yen_decimals(partner_admin, db):
    form = DealForm(
        {
            "company_name": "Kaisha KK",
            "products": ["sales"],
            "expected_mrr": "480000.5",
            "currency": "JPY",
            "stage": "qualification",
            "expected_close_on": "2026-11-28",
        },
        partner=partner_admin.partner,
    )
    assert not form.is_valid()
    assert "JPY amounts have no decimals" in form.errors["expected_mrr"][0]
    with pytest.raises(RegistrationError, match="JPY amounts have no decimals"):
        deal_submit(
            partner=partner_admin.partner,
            acting_user=partner_admin,
            company_name="Kaisha KK",
            products=["sales"],
            expected_mrr=Decimal("480000.5"),
            currency="JPY",
            expected_close_on=dt.date(2026, 11, 28),
        )
    assert not partner_admin.partner.deals.exists()


def test_deal_currency_defaults_from_the_partners_country(partner, other_partner):
    assert DealForm(partner=partner).fields["currency"].initial == "JPY"  # partner fixture is in Japan
    assert DealForm(partner=other_partner).fields["currency"].initial == "USD"
    assert default_currency("GB") == "GBP" and default_currency("KW") == "USD"


def test_domains_read_in_unicode_and_junk_passes_through():
    assert formats.domain_unicode("xn--r8jz45g.jp") == "例え.jp"
    assert formats.domain_unicode("example.com") == "example.com"
    assert formats.domain_unicode("xn--broken--.com") == "xn--broken--.com"


def test_one_date_style_per_language_always_with_the_year():
    day = dt.date(2026, 11, 28)
    with translation.override("en"):
        assert date_format(day) == "28 Nov 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "28 Nov 2026"
    with translation.override("ja"):
        assert date_format(day) == "2026年11月28日"
        assert date_format(day, "MONTH_DAY_FORMAT") == "2026年11月28日"


def test_partner_zone_follows_the_country():
    assert zone_for_country("JP") == "Asia/Tokyo"
    assert zone_for_country("GB") == "Europe/London"
    assert zone_for_country("US") == "America/New_York"
    assert zone_for_country("") == "UTC"


def test_capacity_page_shows_dates_in_each_languages_style(client_for, partner_admin):
    from registrations.models import DomainRegistration

    DomainRegistration.objects.create(
        partner=partner_admin.partner,
        domain="xn--r8jz45g.jp",
        status="registered",
        submitted_at=dt.datetime(2026, 11, 1, 3, tzinfo=dt.UTC),
        expires_on=dt.date(2027, 4, 9),
    )
    client = client_for(partner_admin)
    english = client.get(reverse("registrations:capacity")).content.decode()
    assert "9 Apr 2027" in english and "2027-04-09" not in english
    assert "例え.jp" in english
    client.cookies["django_language"] = "ja"
    japanese = client.get(reverse("registrations:capacity")).content.decode()
    assert "2027年4月9日" in japanese and "2026年11月1日" in japanese


def test_admin_lists_internationalised_domains_in_unicode_and_deals_in_their_currency(client_for, staff, partner):
    from registrations.models import DomainRegistration

    DomainRegistration.objects.create(
        partner=partner, domain="xn--r8jz45g.jp", status="pending", submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    DealFactory(partner=partner, company_name="Yen KK", expected_mrr=Decimal("480000"), currency="JPY")
    client = client_for(staff)
    domains = client.get(reverse("admin:registrations_domainregistration_changelist")).content.decode()
    assert "例え.jp (xn--r8jz45g.jp)" in domains
    deals = client.get(reverse("admin:registrations_deal_changelist")).content.decode()
    assert "¥480,000" in deals


def _note_at_2330_utc(partner, author):
    from registrations.models import DealNote

    deal = DealFactory(
        partner=partner, company_name="Late KK", submitted_at=dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)
    )
    DealNote.objects.create(
        deal=deal, author=author, body="Late call.", created_at=dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)
    )
    return deal


def test_cams_read_utc_unless_they_chose_a_zone(client_for, cam, partner):
    deal = _note_at_2330_utc(partner, cam)
    body = client_for(cam).get(reverse("registrations:deal", args=[deal.pk])).content.decode()
    assert "28 Nov 2026, 23:30" in body
    cam.time_zone = "Asia/Tokyo"
    cam.save(update_fields=["time_zone"])
    body = client_for(cam).get(reverse("registrations:deal", args=[deal.pk])).content.decode()
    assert "29 Nov 2026, 08:30" in body


def test_partner_users_read_their_countrys_time(client_for, partner_admin):
    deal = _note_at_2330_utc(partner_admin.partner, partner_admin)  # the partner fixture is in Japan
    body = client_for(partner_admin).get(reverse("registrations:deal", args=[deal.pk])).content.decode()
    assert "29 Nov 2026, 08:30" in body


def test_an_unknown_time_zone_is_refused(cam):
    cam.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError, match="Mars/Olympus is not a time zone name"):
        cam.full_clean()
