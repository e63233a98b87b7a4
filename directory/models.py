"""The public Solutions Directory: partner profiles, verified client reviews, Global Partner of the Year.

A profile is what a partner shows the public beside the facts the programme already
holds (tier, certifications, accreditations, awards, operating countries and target
industries on `Partner`). A review comes only through an invitation a partner sends to a
client contact on one of its customer domains; staff moderate it before it is public.
"""

from __future__ import annotations

import re

from django.conf import global_settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.fields import ChoiceListField
from portal.models import AuditEntryBase, Partner, person_link

# Languages a partner works in: Django's list, whose names Django translates.
SPOKEN_LANGUAGES = [(code, name) for code, name in global_settings.LANGUAGES if "-" not in code or code == "zh-hans"]


class Service(models.TextChoices):
    INBOUND_MARKETING = "inbound_marketing", _("Inbound marketing")
    WEBSITE = "website", _("Website design and development")
    CRM_IMPLEMENTATION = "crm_implementation", _("CRM implementation")
    SALES_ENABLEMENT = "sales_enablement", _("Sales enablement")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    CONTENT_SEO = "content_seo", _("Content and SEO")
    PAID_MEDIA = "paid_media", _("Paid media")
    INTEGRATIONS = "integrations", _("Integrations and custom development")
    DATA_MIGRATION = "data_migration", _("Data migration")
    TRAINING = "training", _("Training and onboarding")
    REVOPS = "revops", _("Revenue operations")


class AuditEntry(AuditEntryBase):
    """Who changed what in the directory, when, and why: listings hidden, reviews moderated, settings."""

    class Subject(models.TextChoices):
        PROFILE = "profile", _("Directory profile")
        REVIEW_INVITATION = "review_invitation", _("Review invitation")
        REVIEW = "review", _("Client review")
        AWARD_SETTINGS = "award_settings", _("Global Partner of the Year settings")

    class Meta(AuditEntryBase.Meta):
        verbose_name = _("directory audit entry")
        verbose_name_plural = _("directory audit entries")


class PartnerProfile(models.Model):
    """A partner's public listing; operating countries and target industries live on `Partner`."""

    partner = models.OneToOneField(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="directory_profile"
    )
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    tagline = models.CharField(_("tagline"), max_length=160, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    website = models.URLField(_("website"), blank=True)
    services = ChoiceListField(_("services"), choices=Service.choices)
    languages = ChoiceListField(_("languages"), choices=SPOKEN_LANGUAGES)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=True)
    logo_content_type = models.CharField(_("logo type"), max_length=30, blank=True)
    listed = models.BooleanField(_("listed in the directory"), default=True)
    hidden_at = models.DateTimeField(_("hidden by staff at"), null=True, blank=True)
    hidden_by = person_link(_("hidden by"))
    hidden_reason = models.TextField(_("why hidden"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The published reviews' average and count, kept by `profile_ratings_refresh` (directory.services)
    # whenever a review is published, so the search sorts by rating without a subquery per listing.
    rating = models.DecimalField(_("rating"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False)
    review_count = models.PositiveIntegerField(_("published reviews"), default=0, editable=False)

    class Meta:
        verbose_name = _("directory profile")
        verbose_name_plural = _("directory profiles")
        ordering = ["partner__name"]
        indexes = [models.Index(fields=["listed", "hidden_at"])]

    def __str__(self) -> str:
        return self.partner.name

    @property
    def is_public(self) -> bool:
        return self.listed and self.hidden_at is None


class ReviewInvitation(models.Model):
    """A one-time link a partner sends a client contact; only its SHA-256 is stored."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="review_invitations"
    )
    email = models.EmailField(_("client email"))
    contact_name = models.CharField(_("client name"), max_length=200)
    customer_domain = models.CharField(_("customer domain"), max_length=253)
    language = models.CharField(_("language"), max_length=8, default="en")
    token_hash = models.CharField(_("link fingerprint"), max_length=64, unique=True, editable=False)
    invited_by = person_link(_("invited by"))
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("link expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review invitation")
        verbose_name_plural = _("review invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["partner", "email", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner.name}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Review(models.Model):
    """A verified client's rating (1–5) and words about a partner; public once staff publish it."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="reviews")
    invitation = models.OneToOneField(
        ReviewInvitation, verbose_name=_("invitation"), on_delete=models.PROTECT, related_name="review"
    )
    reviewer_name = models.CharField(_("reviewer"), max_length=200)
    reviewer_title = models.CharField(_("job title"), max_length=200, blank=True)
    reviewer_email = models.EmailField(_("reviewer email"))
    customer_domain = models.CharField(_("customer domain"), max_length=253)
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    title = models.CharField(_("headline"), max_length=160)
    body = models.TextField(_("review"), max_length=4000)
    language = models.CharField(_("language"), max_length=8, default="en")
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = person_link(_("moderated by"))
    rejection_reason = models.TextField(_("why rejected"), blank=True)
    reply = models.TextField(_("partner's reply"), max_length=2000, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = person_link(_("replied by"))

    class Meta:
        verbose_name = _("client review")
        verbose_name_plural = _("client reviews")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["partner", "status", "submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        permissions = [("moderate_review", _("Can publish or reject client reviews"))]

    def __str__(self) -> str:
        return f"{self.partner.name}: {self.rating}/5 — {self.title}"


class AwardSettings(models.Model):
    """Global Partner of the Year thresholds: one row, edited by staff (SPEC §6)."""

    min_revenue_retention = models.DecimalField(
        _("minimum revenue retention (%)"), max_digits=6, decimal_places=2, default=90
    )
    min_customer_revenue_retention = models.DecimalField(
        _("minimum customer revenue retention (%)"), max_digits=6, decimal_places=2, default=85
    )
    min_review_rating = models.DecimalField(_("minimum review rating"), max_digits=3, decimal_places=2, default=4)
    min_review_count = models.PositiveIntegerField(_("minimum published reviews"), default=3)
    min_mrr_usd = models.DecimalField(_("minimum MRR (USD)"), max_digits=14, decimal_places=2, default=10000)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Global Partner of the Year settings")
        verbose_name_plural = _("Global Partner of the Year settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def get(cls) -> AwardSettings:
        return cls.objects.get_or_create(pk=1)[0]


# How the review services' audit states read (codes stay in the table).
AuditEntry.STATES |= {
    **dict(ReviewStatus.choices),
    "sent": _("Invitation sent"),
    "replied": _("Reply published"),
    "changed": _("Changed"),
}
# --- How the directory's audit rows read (the reviews' states and reasons are added the same way) ---------------

PROFILE_FIELD_LABELS = {
    "tagline": _("tagline"),
    "description": _("description"),
    "website": _("website"),
    "services": _("services"),
    "languages": _("languages"),
    "listed": _("listed in the directory"),
    "logo": _("logo"),
    "industries": _("target industries"),
    "operating_countries": _("operating countries"),
}


def _changed_fields(match: re.Match[str]) -> str:
    names = [str(PROFILE_FIELD_LABELS.get(name, name)) for name in match[1].split(", ")]
    return gettext("Changed: %(fields)s") % {"fields": gettext(", ").join(names)}


AuditEntry.STATES |= {
    "listed": pgettext_lazy("directory listing", "Listed"),
    "unlisted": pgettext_lazy("directory listing", "Not listed"),
    "visible": pgettext_lazy("directory listing", "Shown"),
    "hidden": pgettext_lazy("directory listing", "Hidden by staff"),
}
AuditEntry.REASONS = [
    *AuditEntry.REASONS,
    (re.compile(r"changed: (.+)"), _changed_fields),
    (re.compile(r"created"), lambda m: gettext("Profile created")),
]
