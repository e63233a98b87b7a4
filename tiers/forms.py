"""Query-string forms of the tier pages: they validate input, nothing more."""

from __future__ import annotations

import datetime as dt

import django_countries
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.models import Tier
from tiers.models import RuleSet, RuleSetStatus

SORT_LABELS = {
    "domain": _("Domain"),
    "country": _("Country"),
    "currency": _("Currency"),
    "sold": _("Sold MRR"),
    "managed": _("Managed MRR"),
    "coefficient": _("Coefficient"),
    "points": _("Points"),
}


def month_choices(months: list[dt.date]) -> list[tuple[str, str]]:
    return [(m.isoformat(), date_format(m, "YEAR_MONTH_FORMAT")) for m in sorted(months, reverse=True)]


class BreakdownForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"), required=False)
    q = forms.CharField(label=_("Domain contains"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    em = forms.ChoiceField(
        label=_("Emerging market"),
        required=False,
        choices=[("", _("All customers")), ("yes", _("Emerging markets only")), ("no", _("Other markets only"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(f"{sign}{key}", key) for key in SORT_LABELS for sign in ("", "-")],
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data, *, months: list[dt.date], countries: list[str], currencies: list[str]) -> None:
        super().__init__(data)
        self.fields["month"].choices = month_choices(months)
        named = sorted(((code, django_countries.countries.name(code)) for code in countries), key=lambda c: c[1])
        self.fields["country"].choices = [("", _("All countries")), *named]
        self.fields["currency"].choices = [("", _("All currencies")), *[(c, c) for c in currencies]]


class ChangesForm(forms.Form):
    before = forms.ChoiceField(label=_("From"), required=False)
    after = forms.ChoiceField(label=_("To"), required=False)

    def __init__(self, data, *, months: list[dt.date]) -> None:
        super().__init__(data)
        choices = month_choices(months)  # the same two dozen labels for both selects: formatted once
        self.fields["before"].choices = choices
        self.fields["after"].choices = list(choices)


class GapForm(forms.Form):
    tier = forms.ChoiceField(label=_("Get to"), choices=[(t, Tier(t).label) for t in Tier.ladder()], required=False)


class BookForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices])
    flag = forms.ChoiceField(
        label=_("Flag"),
        required=False,
        choices=[("", _("All partners")), ("at_risk", _("At risk")), ("near_promotion", _("Near promotion"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(f"{sign}{key}", key) for key in ("name", "tier", "points", "trend") for sign in ("", "-")],
    )
    page = forms.IntegerField(required=False, min_value=1)


class WhatIfForm(forms.Form):
    rule_set = forms.ModelChoiceField(
        label=_("Draft rule set"),
        queryset=RuleSet.objects.filter(status=RuleSetStatus.DRAFT).order_by("-effective_from"),
        empty_label=None,  # the newest draft is preselected: it is almost always the one staff review
    )
    month = forms.DateField(label=_("Month"), widget=forms.Select)

    def __init__(self, data, *, months: list[dt.date]) -> None:
        super().__init__(data)
        self.fields["month"].widget.choices = month_choices(months)
        self.months = set(months)

    def clean_month(self) -> dt.date:
        month = self.cleaned_data["month"].replace(day=1)
        if month not in self.months:
            raise forms.ValidationError(_("Pick a month with customer data."))
        return month


class PublishForm(forms.Form):
    rule_set = forms.ModelChoiceField(queryset=RuleSet.objects.filter(status=RuleSetStatus.DRAFT))
