"""Input forms of the review pages (shape and spam checks only; the rules live in `review_services`)."""

from __future__ import annotations

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from directory.models import AwardSettings

# A person reads the page before sending a review; a script posts at once.
MIN_SECONDS_TO_SUBMIT = 4
_STARTED_SALT = "directory.review-form-started"

LANGUAGE_CHOICES = [("en", _("English")), ("ja", _("Japanese"))]
RATING_CHOICES = [
    (5, _("5 — Excellent")),
    (4, _("4 — Good")),
    (3, _("3 — Fair")),
    (2, _("2 — Poor")),
    (1, _("1 — Very poor")),
]


class InviteForm(forms.Form):
    contact_name = forms.CharField(label=_("Client's name"), max_length=200)
    email = forms.EmailField(
        label=_("Client's email"),
        max_length=254,
        help_text=_("An address on one of your customer domains."),
        error_messages={"invalid": _("Enter a valid email address, for example name@client.example.")},
    )
    language = forms.ChoiceField(label=_("Language of the email and page"), choices=LANGUAGE_CHOICES)


class ReviewWriteForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5 stars.")},
    )
    title = forms.CharField(label=_("Headline"), max_length=160)
    body = forms.CharField(
        label=_("Your review"), min_length=20, max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    reviewer_name = forms.CharField(label=_("Your name"), max_length=200)
    reviewer_title = forms.CharField(label=_("Your job title"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_("I agree that my review, name and job title are published with the partner's profile."),
        error_messages={"required": _("Tick the box to agree that your review is published.")},
    )
    # Spam resistance: a field people do not see (bots fill it) and when the form was shown (signed).
    website = forms.CharField(label=_("Leave this empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label_suffix = ""  # a sentence, not a label for a value

    @staticmethod
    def started_value() -> str:
        return signing.TimestampSigner(salt=_STARTED_SALT).sign("review")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("Your review could not be sent. Please try again."), code="spam")
        try:
            # No SignatureExpired means the form came back within MIN_SECONDS_TO_SUBMIT.
            signing.TimestampSigner(salt=_STARTED_SALT).unsign(data.get("started") or "", max_age=MIN_SECONDS_TO_SUBMIT)
        except signing.SignatureExpired:
            return data  # shown more than MIN_SECONDS_TO_SUBMIT ago: a person's pace
        except signing.BadSignature:
            raise forms.ValidationError(_("Your review could not be sent. Please try again."), code="spam") from None
        raise forms.ValidationError(
            _("That was quick. Please read your review once more and send it again."), code="too_fast"
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reject it? (the partner reads this)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Your public reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AwardSettingsForm(forms.ModelForm):
    def clean(self) -> dict:
        data = super().clean()
        for name, value in list(data.items()):
            if value is not None and value < 0:
                self.add_error(name, _("Enter zero or more."))
        return data

    class Meta:
        model = AwardSettings
        fields = [
            "min_revenue_retention",
            "min_customer_revenue_retention",
            "min_review_rating",
            "min_review_count",
            "min_mrr_usd",
        ]
