from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Role


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.PARTNER_MEMBER, Role.PARTNER_MEMBER.label), (Role.PARTNER_ADMIN, Role.PARTNER_ADMIN.label)],
    )
