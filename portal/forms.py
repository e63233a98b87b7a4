from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from portal.models import EmailKind, Language, Role, WaitingEmails


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.PARTNER_MEMBER, Role.PARTNER_MEMBER.label), (Role.PARTNER_ADMIN, Role.PARTNER_ADMIN.label)],
    )


class AccountForm(forms.Form):
    """A person's language and emails. Partner users choose their emails; CAMs and reviewers how they hear of decisions."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("The portal's pages after you log in, and every email the portal sends you."),
    )
    emails = forms.MultipleChoiceField(
        label=_("Emails you receive"),
        choices=EmailKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick an email to stop receiving it."),
    )
    waiting_emails = forms.ChoiceField(
        label=_("Decisions waiting for you"),
        choices=WaitingEmails.choices,
        widget=forms.RadioSelect,
        help_text=_("When a registration, deal or application waits for your decision."),
    )

    def __init__(self, *args, partner_user: bool, decider: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not partner_user:
            del self.fields["emails"]
        if not decider:
            del self.fields["waiting_emails"]


class PortalFormRenderer(TemplatesSetting):
    """One laid-out form style for the whole portal (`{{ form }}` and `{{ field.as_field_group }}`).

    Label above the field, help text under it, errors under the field, checkboxes with their
    label on one line, the form's own errors at its top (templates/portal/forms/).
    """

    form_template_name = "portal/forms/form.html"
    field_template_name = "portal/forms/field.html"
