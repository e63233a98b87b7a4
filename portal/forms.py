from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from portal.models import Role


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.PARTNER_MEMBER, Role.PARTNER_MEMBER.label), (Role.PARTNER_ADMIN, Role.PARTNER_ADMIN.label)],
    )


class PortalFormRenderer(TemplatesSetting):
    """One laid-out form style for the whole portal (`{{ form }}` and `{{ field.as_field_group }}`).

    Label above the field, help text under it, errors under the field, checkboxes with their
    label on one line, the form's own errors at its top (templates/portal/forms/).
    """

    form_template_name = "portal/forms/form.html"
    field_template_name = "portal/forms/field.html"
