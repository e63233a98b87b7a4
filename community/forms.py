"""Input forms of the community pages (shape only; the rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeibApplyForm(forms.Form):
    owners_identify_as_poc = forms.BooleanField(
        label=_("The owners of our organisation self-identify as people of colour."), required=False
    )
    statement = forms.CharField(
        label=_("In your own words (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    consent = forms.BooleanField(
        label=_(
            "I consent to the programme storing this self-identification. Only our org admins and programme "
            "staff can see it, and withdrawing deletes it."
        ),
        error_messages={"required": _("Tick the consent box: we cannot store the self-identification without it.")},
    )


class HugLeadForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why your organisation wants to lead it"),
        help_text=_("Leaders hold at least one free event every quarter."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
