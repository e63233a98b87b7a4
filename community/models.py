"""Community programmes: PUG, HUG, DEI&B sponsorship and Black@INBOUND (SPEC §5).

Programme numbers (group capacity, cohort capacity, application windows) are
data on these models, editable by programme staff in the Django admin.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import (
    ApplicationWindowBase,
    AuditEntryBase,
    Partner,
    Region,
    ReviewedApplicationBase,
    application_status,
    applying_partner,
    person_link,
)

DEFAULT_PUG_CAPACITY = 20
DEFAULT_DEIB_CAPACITY = 5


class AuditEntry(AuditEntryBase):
    """Who changed what, when, from which state to which, and why — for every community write.

    Never carries DEI&B self-identification: `reason` holds staff reasons only.
    """

    class Subject(models.TextChoices):
        PUG_APPLICATION = "pug_application", _("PUG application")
        HUG_MEMBERSHIP = "hug_membership", _("HUG membership")
        HUG_LEAD_APPLICATION = "hug_lead_application", _("HUG leader application")
        HUG_GROUP_LEADER = "hug_group_leader", _("HUG group leader")
        HUG_INACTIVITY_FLAG = "hug_inactivity_flag", _("HUG inactivity flag")
        DEIB_APPLICATION = "deib_application", _("DEI&B application")
        BLACK_AT_INBOUND = "black_at_inbound", _("Black@INBOUND membership")

    class Meta(AuditEntryBase.Meta):
        verbose_name = _("community audit entry")
        verbose_name_plural = _("community audit entries")


# --- PUG -------------------------------------------------------------------------------------------------------


class PugRole(models.TextChoices):
    SALES = "sales", _("Sales")
    DEVELOPERS = "developers", _("Developers")
    OPERATIONS = "operations", _("Operations")
    MARKETING = "marketing", _("Marketing")
    SERVICES = "services", _("Services and onboarding")


class MeetingCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class PugReviewCycle(ApplicationWindowBase):
    """One of the two yearly review cycles: an application window and the 6-month cohort it fills."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    opens_on = models.DateField(_("applications open on"))
    closes_on = models.DateField(_("applications close on"))
    cohort_starts_on = models.DateField(_("cohort starts on"))
    cohort_ends_on = models.DateField(_("cohort ends on"))

    class Meta:
        verbose_name = _("PUG review cycle")
        verbose_name_plural = _("PUG review cycles")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                name="pug_cycle_window_ordered", condition=models.Q(opens_on__lte=models.F("closes_on"))
            ),
            models.CheckConstraint(
                name="pug_cohort_ordered", condition=models.Q(cohort_starts_on__lt=models.F("cohort_ends_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """What partners read: built from the window's dates in their language (the name is staff's handle)."""
        return gettext("%(month)s review cycle") % {"month": date_format(self.opens_on, "YEAR_MONTH_FORMAT")}


class PugGroup(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=PugRole.choices)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    champion = models.CharField(_("champion"), max_length=120)
    capacity = models.PositiveSmallIntegerField(_("capacity (partners)"), default=DEFAULT_PUG_CAPACITY)
    meeting_cadence = models.CharField(
        _("meeting cadence"), max_length=120, choices=MeetingCadence.choices, default=MeetingCadence.MONTHLY
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("PUG group")
        verbose_name_plural = _("PUG groups")
        ordering = ["region", "role", "name"]

    def __str__(self) -> str:
        return self.name


class PugStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    DECLINED = "declined", _("Declined")


class PugApplication(ReviewedApplicationBase):
    AUDIT = AuditEntry, AuditEntry.Subject.PUG_APPLICATION

    group = models.ForeignKey(PugGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="applications")
    cycle = models.ForeignKey(
        PugReviewCycle, verbose_name=_("review cycle"), on_delete=models.PROTECT, related_name="applications"
    )
    partner = applying_partner(related_name="pug_applications")
    submitted_by = person_link(_("submitted by"), blank=False)
    motivation = models.TextField(_("motivation"), blank=True)
    status = application_status(PugStatus)

    class Meta:
        verbose_name = _("PUG application")
        verbose_name_plural = _("PUG applications")
        ordering = ["created_at", "pk"]
        permissions = [("review_applications", _("Can review PUG, HUG-lead and DEI&B applications"))]
        constraints = [
            models.UniqueConstraint(fields=["group", "cycle", "partner"], name="one_pug_application_per_group_cycle")
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return gettext("Partner %(partner)s → group %(group)s (%(status)s)") % {
            "partner": self.partner_id,
            "group": self.group_id,
            "status": self.get_status_display(),
        }


# --- HUG -------------------------------------------------------------------------------------------------------


class HugTopic(models.TextChoices):
    EDUCATION = "education", _("Education")
    ABM = "abm", _("Account-based marketing")
    AUTOMATION = "automation", _("Automation")
    CRM = "crm", _("CRM")
    SALES = "sales", _("Sales enablement")
    SERVICE = "service", _("Customer service")
    CMS = "cms", _("CMS and websites")
    DEVELOPERS = "developers", _("Developers")
    NONPROFIT = "nonprofit", _("Nonprofits")
    ECOMMERCE = "ecommerce", _("Ecommerce")


class HugLanguage(models.TextChoices):
    EN = "en", _("English")
    JA = "ja", _("Japanese")
    ES = "es", _("Spanish")
    PT = "pt", _("Portuguese")
    DE = "de", _("German")
    FR = "fr", _("French")
    NL = "nl", _("Dutch")


class HugFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class HugGroup(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    topic = models.CharField(_("topic"), max_length=20, choices=HugTopic.choices)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    language = models.CharField(_("language"), max_length=5, choices=HugLanguage.choices)
    format = models.CharField(_("format"), max_length=10, choices=HugFormat.choices)
    city = models.CharField(_("city"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)
    leader_partner = models.ForeignKey(
        Partner,
        verbose_name=_("leading partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_hugs",
    )

    class Meta:
        verbose_name = _("HUG group")
        verbose_name_plural = _("HUG groups")
        ordering = ["name"]
        indexes = [models.Index(fields=["topic", "region", "language", "format"])]

    def __str__(self) -> str:
        return self.name


class HugMembership(models.Model):
    group = models.ForeignKey(HugGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="hug_memberships"
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("HUG membership")
        verbose_name_plural = _("HUG memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_hug_membership_per_user")]

    def __str__(self) -> str:
        return gettext("User %(user)s in group %(group)s") % {"user": self.user_id, "group": self.group_id}


class HugEvent(models.Model):
    group = models.ForeignKey(HugGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=160)
    starts_at = models.DateTimeField(_("starts at"))
    is_free = models.BooleanField(_("free"), default=True)
    location = models.CharField(_("location"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("HUG event")
        verbose_name_plural = _("HUG events")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class LeadStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class HugLeaderApplication(ReviewedApplicationBase):
    AUDIT = AuditEntry, AuditEntry.Subject.HUG_LEAD_APPLICATION

    group = models.ForeignKey(
        HugGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="leader_applications"
    )
    partner = applying_partner(related_name="hug_leader_applications")
    applicant = person_link(_("applicant"), blank=False)
    motivation = models.TextField(_("motivation"), blank=True)
    status = application_status(LeadStatus)

    class Meta:
        verbose_name = _("HUG leader application")
        verbose_name_plural = _("HUG leader applications")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "partner"],
                condition=models.Q(status="submitted"),
                name="one_open_hug_lead_application",
            )
        ]

    def __str__(self) -> str:
        return gettext("Partner %(partner)s to lead group %(group)s (%(status)s)") % {
            "partner": self.partner_id,
            "group": self.group_id,
            "status": self.get_status_display(),
        }


class HugInactivityFlag(models.Model):
    """A led group that held no free event in a calendar quarter; one row per (group, quarter)."""

    group = models.ForeignKey(HugGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="flags")
    quarter = models.CharField(_("quarter"), max_length=7, help_text=_("Year and quarter, e.g. 2026-Q3"))
    leader_partner = models.ForeignKey(
        Partner, verbose_name=_("leading partner"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("HUG inactivity flag")
        verbose_name_plural = _("HUG inactivity flags")
        ordering = ["-quarter", "group"]
        constraints = [models.UniqueConstraint(fields=["group", "quarter"], name="one_flag_per_group_quarter")]

    def __str__(self) -> str:
        return gettext("Group %(group)s, %(quarter)s") % {"group": self.group_id, "quarter": self.quarter_label}

    @property
    def quarter_label(self) -> str:
        """2026-Q3 as people read it: "Q3 2026" / "2026年第3四半期"."""
        year, _sep, number = self.quarter.partition("-Q")
        if not (year.isdigit() and number.isdigit()):
            return self.quarter
        return gettext("Q%(quarter)s %(year)s") % {"quarter": number, "year": year}


# --- DEI&B sponsorship -----------------------------------------------------------------------------------------


class DeibCohort(ApplicationWindowBase):
    name = models.CharField(_("name"), max_length=60, unique=True)
    opens_on = models.DateField(_("applications open on"))
    closes_on = models.DateField(_("applications close on"))
    capacity = models.PositiveSmallIntegerField(_("capacity (partners)"), default=DEFAULT_DEIB_CAPACITY)

    class Meta:
        verbose_name = _("DEI&B cohort")
        verbose_name_plural = _("DEI&B cohorts")
        ordering = ["-opens_on"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """What partners read: built from the window's dates in their language (the name is staff's handle)."""
        return gettext("DEI&B cohort of %(month)s") % {"month": date_format(self.opens_on, "YEAR_MONTH_FORMAT")}


class ExecutiveSponsor(models.Model):
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("executive sponsor")
        verbose_name_plural = _("executive sponsors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeibStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeibApplication(ReviewedApplicationBase):
    """An application to a DEI&B cohort. The self-identification lives in its own table (deleted on withdrawal)."""

    AUDIT = AuditEntry, AuditEntry.Subject.DEIB_APPLICATION

    cohort = models.ForeignKey(
        DeibCohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="applications"
    )
    partner = applying_partner(related_name="deib_applications")
    submitted_by = person_link(_("submitted by"), blank=False)
    status = application_status(DeibStatus, max_length=14)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    sponsor = models.ForeignKey(
        ExecutiveSponsor,
        verbose_name=_("executive sponsor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matches",
    )

    class Meta:
        verbose_name = _("DEI&B application")
        verbose_name_plural = _("DEI&B applications")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["cohort", "partner"], name="one_deib_application_per_cohort")]

    def __str__(self) -> str:
        return gettext("Partner %(partner)s → cohort %(cohort)s (%(status)s)") % {
            "partner": self.partner_id,
            "cohort": self.cohort_id,
            "status": self.get_status_display(),
        }


class DeibSelfIdentification(models.Model):
    """Sensitive: seen only by the applicant's org admins and programme staff; deleted on withdrawal."""

    application = models.OneToOneField(
        DeibApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="self_identification"
    )
    owners_identify_as_poc = models.BooleanField(_("the owners self-identify as people of colour"))
    statement = models.TextField(_("self-identification (in your own words)"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("DEI&B self-identification")
        verbose_name_plural = _("DEI&B self-identifications")

    def __str__(self) -> str:
        # Deliberately says nothing about the content.
        return gettext("Self-identification #%(id)s") % {"id": self.pk}


# --- Black@INBOUND ---------------------------------------------------------------------------------------------


AuditEntry.REASONS = [
    (
        re.compile(r"no free event in (\d{4})-Q([1-4])"),
        lambda m: (
            gettext("No free event in %(quarter)s")
            % {"quarter": gettext("Q%(quarter)s %(year)s") % {"quarter": m[2], "year": m[1]}}
        ),
    ),
    (
        re.compile(r"sponsor: (.+?)\.(?: (.*))?", re.DOTALL),
        lambda m: " ".join(filter(None, [gettext("Sponsor: %(name)s.") % {"name": m[1]}, m[2]])),
    ),
]
AuditEntry.STATES = {
    **dict(PugStatus.choices),
    **dict(LeadStatus.choices),
    **dict(DeibStatus.choices),
    "member": pgettext_lazy("audit state", "Member"),
    "left": pgettext_lazy("audit state", "Left"),
    "flagged": pgettext_lazy("audit state", "Flagged"),
}


class BlackAtInboundMembership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="black_at_inbound"
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Black@INBOUND membership")
        verbose_name_plural = _("Black@INBOUND memberships")
        ordering = ["joined_at"]

    def __str__(self) -> str:
        return str(self.user_id)
