"""Input forms of the enablement pages (shape only; the rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enablement.models import AwardCategory


class AwardNominateForm(forms.Form):
    category = forms.ChoiceField(label=_("Award"), choices=AwardCategory.choices)
    partner_id = forms.CharField(
        label=_("Partner ID"),
        max_length=32,
        help_text=_("For example P10001."),
        error_messages={"required": _("Enter the partner ID of the partner you nominate.")},
    )
    citation = forms.CharField(
        label=_("Citation"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    year = forms.IntegerField(widget=forms.HiddenInput)
    region = forms.CharField(widget=forms.HiddenInput)
