"""Enablement and recognition: certifications, accreditations, Impact Awards (SPEC §6).

Accreditation names, tier eligibility, rollout dates, application windows and the
marks limit are data here, editable in the admin; Phase 2 tier requirements can
read the same tables (SPEC §3.7).
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import (
    ApplicationWindowBase,
    AuditEntryBase,
    Partner,
    Region,
    ReviewedApplicationBase,
    Tier,
    application_status,
    applying_partner,
    person_link,
)

DEFAULT_MARKS_LIMIT = 3
REEVALUATION_MONTHS = 6


class AuditEntry(AuditEntryBase):
    """Who changed what, when, from which state to which, and why — for every enablement write."""

    class Subject(models.TextChoices):
        ACCREDITATION_APPLICATION = "accreditation_application", _("Accreditation application")
        ACCREDITATION_MARK = "accreditation_mark", _("Mark on record")
        PARTNER_ACCREDITATION = "partner_accreditation", _("Partner accreditation")
        IMPACT_AWARD = "impact_award", _("Impact Award")

    class Meta(AuditEntryBase.Meta):
        verbose_name = _("enablement audit entry")
        verbose_name_plural = _("enablement audit entries")


class Certification(models.Model):
    """A certification held by one person at a partner."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="certifications"
    )
    holder_name = models.CharField(_("holder"), max_length=120)
    holder_email = models.EmailField(_("holder email"), blank=True)
    name = models.CharField(_("certification"), max_length=120)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["partner", "name", "holder_name"]
        indexes = [models.Index(fields=["partner", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.holder_name}"


class Accreditation(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    marks_limit = models.PositiveSmallIntegerField(
        _("marks on record before review board"),
        default=DEFAULT_MARKS_LIMIT,
        help_text=_("More marks than this sends an accredited partner to the review board."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccreditationEligibility(models.Model):
    """Partners of `tier` may hold and apply for the accreditation from `available_from` (rollout)."""

    accreditation = models.ForeignKey(
        Accreditation, verbose_name=_("accreditation"), on_delete=models.CASCADE, related_name="eligibility"
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    available_from = models.DateField(_("available from"))

    class Meta:
        verbose_name = _("accreditation eligibility")
        verbose_name_plural = _("accreditation eligibility")
        ordering = ["accreditation", "available_from"]
        constraints = [models.UniqueConstraint(fields=["accreditation", "tier"], name="one_rollout_per_tier")]

    def __str__(self) -> str:
        return gettext("%(tier)s from %(date)s") % {
            "tier": self.get_tier_display(),
            "date": self.available_from.isoformat(),
        }


class ApplicationWindow(ApplicationWindowBase):
    """One of the twice-yearly windows in which partners apply for accreditations."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        verbose_name = _("accreditation application window")
        verbose_name_plural = _("accreditation application windows")
        ordering = ["-opens_on"]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccreditationApplication(ReviewedApplicationBase):
    AUDIT = AuditEntry, AuditEntry.Subject.ACCREDITATION_APPLICATION

    partner = applying_partner(related_name="accreditation_applications")
    accreditation = models.ForeignKey(
        Accreditation, verbose_name=_("accreditation"), on_delete=models.PROTECT, related_name="applications"
    )
    window = models.ForeignKey(
        ApplicationWindow, verbose_name=_("window"), on_delete=models.PROTECT, related_name="applications"
    )
    submitted_by = person_link(_("submitted by"), blank=False)
    status = application_status(ApplicationStatus)

    class Meta:
        verbose_name = _("accreditation application")
        verbose_name_plural = _("accreditation applications")
        ordering = ["-created_at"]
        permissions = [("review_accreditations", _("Can decide accreditation applications and record marks"))]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "accreditation", "window"], name="one_accreditation_application_per_window"
            )
        ]

    def __str__(self) -> str:
        return gettext("Partner %(partner)s → accreditation %(accreditation)s (%(status)s)") % {
            "partner": self.partner_id,
            "accreditation": self.accreditation_id,
            "status": self.get_status_display(),
        }


class AccreditationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVIEW_BOARD = "review_board", _("Referred to review board")
    LAPSED = "lapsed", _("Lapsed")


class PartnerAccreditation(models.Model):
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="accreditations"
    )
    accreditation = models.ForeignKey(
        Accreditation, verbose_name=_("accreditation"), on_delete=models.PROTECT, related_name="holders"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=AccreditationStatus.choices, default=AccreditationStatus.ACTIVE
    )
    granted_on = models.DateField(_("granted on"))
    next_review_on = models.DateField(_("next re-evaluation"))

    class Meta:
        verbose_name = _("partner accreditation")
        verbose_name_plural = _("partner accreditations")
        ordering = ["partner", "accreditation"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "accreditation"], name="one_accreditation_per_partner")
        ]
        indexes = [models.Index(fields=["status", "next_review_on"])]

    def __str__(self) -> str:
        return gettext("Partner %(partner)s holds accreditation %(accreditation)s (%(status)s)") % {
            "partner": self.partner_id,
            "accreditation": self.accreditation_id,
            "status": self.get_status_display(),
        }


class AccreditationMark(models.Model):
    """A mark on record against an accredited partner (e.g. a failed quality check)."""

    holding = models.ForeignKey(
        PartnerAccreditation, verbose_name=_("accreditation held"), on_delete=models.CASCADE, related_name="marks"
    )
    note = models.TextField(_("note"))
    recorded_by = person_link(_("recorded by"), blank=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mark on record")
        verbose_name_plural = _("marks on record")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return gettext("Mark on record #%(id)s") % {"id": self.pk}


AuditEntry.REASONS = [
    (re.compile(r"re-evaluated: renewed"), lambda m: gettext("Re-evaluated: renewed")),
    (
        re.compile(r"re-evaluated: tier (\w+) not eligible"),
        lambda m: (
            gettext("Re-evaluated: the tier %(tier)s is not eligible") % {"tier": dict(Tier.choices).get(m[1], m[1])}
        ),
    ),
]
AuditEntry.STATES = {
    **dict(ApplicationStatus.choices),
    **dict(AccreditationStatus.choices),
    "recorded": pgettext_lazy("audit state", "Recorded"),
}


class AwardCategory(models.TextChoices):
    PARTNER_OF_THE_YEAR = "partner_of_the_year", _("Partner of the Year")
    ROOKIE_OF_THE_YEAR = "rookie_of_the_year", _("Rookie of the Year")
    RETENTION = "retention", _("Revenue Retention Award")
    CUSTOMER_FIRST = "customer_first", _("Customer First")
    GLOBAL_HEART = "global_heart", _("Global HEART")


class AwardStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    PUBLISHED = "published", _("Published")


AuditEntry.STATES |= dict(AwardStatus.choices)


class ImpactAward(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    category = models.CharField(_("category"), max_length=24, choices=AwardCategory.choices)
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="impact_awards"
    )
    citation = models.TextField(_("citation"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.NOMINATED)
    nominated_by = person_link(_("nominated by"), blank=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Impact Award")
        verbose_name_plural = _("Impact Awards")
        ordering = ["-year", "region", "category"]
        permissions = [("nominate_awards", _("Can nominate and publish Impact Awards"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region", "category", "partner"], name="one_award_per_partner_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_region_display()} {self.get_category_display()}: {self.partner_id}"
