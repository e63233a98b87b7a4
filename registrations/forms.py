"""Input forms of the registration pages (validation of shape only; rules live in services)."""

from __future__ import annotations

from babel.numbers import get_territory_currencies
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.formats import check_minor_units
from portal.models import Industry, Partner
from registrations.models import Currency, DealStage, Product, RegistrationStatus


class CountrySelect(forms.Select):
    """The ≈250-country select, rendered once per language, name, value and attributes, then kept.

    Rendering it option by option through the widget templates took over half of the capacity
    page's time (issue 15); the markup is the same for every reader of one language.
    """

    _rendered: dict[tuple, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        value = "" if value is None else str(value)
        if value and value not in countries:
            return super().render(name, value, attrs, renderer)
        key = (get_language(), name, value, tuple(sorted({**self.attrs, **(attrs or {})}.items())))
        html = self._rendered.get(key)
        if html is None:
            html = self._rendered[key] = super().render(name, value, attrs, renderer)
        return html


class DomainRegisterForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"), max_length=2048, help_text=_("For example example.com or https://www.example.co.jp/")
    )
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    # A callable: the names are looked up in the reader's language each time the form renders
    # (a list built here, at import, would freeze them in English).
    country = forms.ChoiceField(
        label=_("Country"), choices=lambda: [("", "—"), *countries], required=False, widget=CountrySelect
    )
    industry = forms.ChoiceField(
        label=_("Industry"),
        choices=[("", "—"), *Industry.choices],
        required=False,
        help_text=_("The customer's industry: the cap reduction assistant compares it with your target industries."),
    )


class CapacityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search domain or company"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *RegistrationStatus.choices], required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class DealForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    domain = forms.CharField(label=_("Domain"), max_length=2048, required=False)
    products = forms.MultipleChoiceField(
        label=_("Products"), choices=Product.choices, widget=forms.CheckboxSelectMultiple
    )
    expected_mrr = forms.DecimalField(label=_("Expected MRR"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=DealStage.choices)
    expected_close_on = forms.DateField(label=_("Expected close date"), widget=forms.DateInput(attrs={"type": "date"}))
    partner_is_owner = forms.BooleanField(label=_("We are the deal owner"), required=False, initial=True)
    sales_rep_name = forms.CharField(label=_("Sales rep name"), max_length=200, required=False)
    sales_rep_email = forms.EmailField(label=_("Sales rep email"), required=False)

    def __init__(self, *args: object, partner: Partner | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if partner is not None:
            # A Japanese partner's deals are in yen unless they say otherwise.
            self.fields["currency"].initial = default_currency(str(partner.country))

    def clean(self) -> dict:
        data = super().clean()
        amount, currency = data.get("expected_mrr"), data.get("currency")
        if amount is not None and currency:
            try:
                check_minor_units(amount, currency)
            except forms.ValidationError as exc:
                self.add_error("expected_mrr", exc)
        return data


def default_currency(country: str) -> str:
    """The deal currency a partner from `country` most likely bills in (CLDR), else USD."""
    for code in get_territory_currencies(country or "ZZ"):
        if code in Currency.values:
            return code
    return Currency.USD


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Write a note first.")},
    )


class AssistantTargetForm(forms.Form):
    """The cap reduction assistant's target: how many live registrations to keep (0 … live − 1)."""

    target = forms.IntegerField(
        label=_("Target: live registrations to keep"),
        min_value=0,
        required=False,
        help_text=_("Defaults to your cap. Choose a lower number to make room for new registrations."),
    )

    def __init__(self, *args: object, live: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.live = live
        self.fields["target"].widget.attrs["max"] = max(0, live - 1)

    def clean_target(self) -> int | None:
        target = self.cleaned_data.get("target")
        if target is not None and target >= self.live:
            raise forms.ValidationError(
                _("Choose a target below your %(live)s live registrations, or there is nothing to release."),
                params={"live": self.live},
            )
        return target
