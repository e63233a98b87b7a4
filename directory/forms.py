"""Input forms of the directory pages (shape only; the rules live in services)."""

from __future__ import annotations

import functools

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from directory.models import SPOKEN_LANGUAGES, PartnerProfile, Service
from directory.selectors import DirectoryFilters
from portal.models import Industry, Region, Tier

SORTS = [("relevance", _("Best match")), ("rating", _("Rating")), ("name", _("Name"))]


def country_choices() -> list[tuple[str, str]]:
    """Every country, named and sorted in the reader's language (django-countries); built once per language."""
    return _country_choices(get_language())


@functools.cache
def _country_choices(language: str) -> list[tuple[str, str]]:
    return [(country.code, str(country.name)) for country in countries]


def language_choices() -> list[tuple[str, str]]:
    """The spoken languages, named in the reader's language (Django's own catalogue) and sorted by that name."""
    return _language_choices(get_language())


@functools.cache
def _language_choices(language: str) -> list[tuple[str, str]]:
    return sorted(((code, gettext(name)) for code, name in SPOKEN_LANGUAGES), key=lambda choice: choice[1])


def language_names(codes: list[str]) -> list[str]:
    """Spoken languages by code, named in the reader's language."""
    names = dict(SPOKEN_LANGUAGES)
    return [gettext(names[code]) for code in codes if code in names]


class DirectorySearchForm(forms.Form):
    """The directory's filters. A value outside the choices is ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    accreditation = forms.ChoiceField(label=_("Accreditation"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args, accreditations: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["region"].choices = any_choice + list(Region.choices)
        self.fields["country"].choices = any_choice + country_choices()
        self.fields["language"].choices = any_choice + language_choices()
        self.fields["service"].choices = any_choice + list(Service.choices)
        self.fields["industry"].choices = any_choice + list(Industry.choices)
        self.fields["tier"].choices = any_choice + list(Tier.choices)
        self.fields["accreditation"].choices = any_choice + accreditations
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Name or keyword")})

    def filters(self) -> DirectoryFilters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        data["q"] = data.get("q", "").strip()
        return DirectoryFilters(**data)

    @property
    def is_filtered(self) -> bool:
        return any(value for name, value in self.cleaned_data.items() if name != "sort")


class ProfileForm(forms.ModelForm):
    """A partner's listing, with the two facts that live on `Partner` (countries, industries) and the logo file."""

    operating_countries = forms.MultipleChoiceField(
        label=_("Operating countries"),
        required=False,
        help_text=_("Where you take on clients. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    industries = forms.MultipleChoiceField(
        label=_("Target industries"), required=False, choices=Industry.choices, widget=forms.CheckboxSelectMultiple
    )
    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB and 2000 × 2000 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("The full address, starting with https://."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    class Meta:
        model = PartnerProfile
        fields = ["tagline", "description", "website", "services", "languages", "listed"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "tagline": _("One line under your name in search results."),
            "listed": _("Untick to take your profile out of the public directory."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operating_countries"].choices = country_choices()
        self.fields["operating_countries"].widget.attrs["size"] = 10
        self.fields["languages"] = forms.MultipleChoiceField(
            label=_("Languages"),
            required=False,
            choices=language_choices(),
            help_text=_("The languages your team works in."),
        )
        self.fields["languages"].widget.attrs["size"] = 8
        self.fields["services"].label = _("Services")
