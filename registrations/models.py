"""Domain and deal registrations, their audit trail, caps configuration and commission holds (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models import AppendOnlyModel, DecisionBase, Industry, Partner, PartnerKind, person_link


class RegistrationConfig(models.Model):
    """The programme's registration rules: one row, edited by staff in the admin.

    Created with the seed's defaults by a data migration; read with `RegistrationConfig.get()`.
    """

    cap_elite = models.PositiveIntegerField(_("cap: Elite"), default=175)
    cap_diamond = models.PositiveIntegerField(_("cap: Diamond"), default=75)
    cap_platinum = models.PositiveIntegerField(_("cap: Platinum"), default=25)
    cap_gold = models.PositiveIntegerField(_("cap: Gold"), default=15)
    cap_solutions_partner = models.PositiveIntegerField(_("cap: no tier"), default=10)
    cap_provider = models.PositiveIntegerField(_("cap: provider"), default=5)
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"), default=6)
    extension_months = models.PositiveSmallIntegerField(_("extension (months)"), default=3)
    max_extensions = models.PositiveSmallIntegerField(_("maximum extensions"), default=1)
    reminder_days = models.PositiveSmallIntegerField(_("reminder (days before expiry)"), default=14)
    # The cap reduction assistant calls a registration inactive after this many days without an
    # event, a deal note or deal event for its domain, or a month of customer MRR.
    inactivity_days = models.PositiveSmallIntegerField(
        _("inactive after (days)"),
        default=90,
        help_text=_("The cap reduction assistant suggests releasing registrations without activity for this long."),
    )
    caps_effective_from = models.DateField(_("caps effective from"), default=dt.date(2022, 2, 1))
    compliance_deadline = models.DateField(_("compliance deadline"), default=dt.date(2022, 4, 1))

    history = HistoricalRecords(bases=[AppendOnlyModel])

    class Meta:
        verbose_name = _("registration configuration")
        verbose_name_plural = _("registration configuration")
        constraints = [models.CheckConstraint(name="registration_config_singleton", condition=models.Q(pk=1))]

    def __str__(self) -> str:
        return str(_("Registration configuration"))

    @classmethod
    def get(cls) -> RegistrationConfig:
        config, _created = cls.objects.get_or_create(pk=1)
        return config

    def cap_for(self, partner: Partner) -> int:
        if partner.kind == PartnerKind.PROVIDER:
            return self.cap_provider
        return self.cap_for_tier(partner.tier)

    def cap_for_tier(self, tier: str) -> int:
        return getattr(self, f"cap_{tier}", self.cap_solutions_partner)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released")


LIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.REGISTERED)


class SubmittedClaimBase(DecisionBase):
    """A partner's claim (a domain or a deal registration): when and by whom it was submitted, then
    who decided, when and why."""

    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = person_link(_("submitted by"))

    class Meta(DecisionBase.Meta):
        abstract = True


class DomainRegistration(SubmittedClaimBase):
    """A partner's claim on a prospect's domain. Status changes only in `registrations.services`."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="domain_registrations"
    )
    domain = models.CharField(_("domain"), max_length=253)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    # The expiry date a reminder was last sent for: an extension moves the date, so a new reminder goes out.
    reminded_for = models.DateField(_("reminder sent for"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("domain registration")
        verbose_name_plural = _("domain registrations")
        ordering = ["-submitted_at"]
        constraints = [
            # A domain is live (pending or registered) for at most one partner: the database says so too.
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(status__in=["pending", "registered"]),
                name="domain_live_once",
            )
        ]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_status_display()})"

    @property
    def extended(self) -> bool:
        return self.extension_count > 0

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class RegistrationJob(models.TextChoices):
    EXPIRE = "expire_registrations", _("Daily expiry run")


def _system_reasons() -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    """The reasons services write for people (stored in English, shown in the reader's language)."""
    return [
        (re.compile(r"^submitted$"), lambda m: pgettext("history reason", "Submitted")),
        (re.compile(r"^released by the partner$"), lambda m: gettext("Released by the partner")),
        (
            re.compile(r"^released with the cap reduction assistant$"),
            lambda m: gettext("Released with the cap reduction assistant"),
        ),
        (
            re.compile(r"^extended until (\d{4}-\d{2}-\d{2})$"),
            lambda m: gettext("Extended until %(date)s") % {"date": _date(m.group(1))},
        ),
        (
            re.compile(r"^expiry date reached \(run for (\d{4}-\d{2}-\d{2})\)$"),
            lambda m: gettext("Expiry date reached (daily run of %(date)s)") % {"date": _date(m.group(1))},
        ),
    ]


def _date(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")


def reason_label(reason: str) -> str:
    """A history reason as the reader should see it: the services' own reasons translated, people's as written."""
    for pattern, label in _system_reasons():
        match = pattern.match(reason)
        if match:
            return label(match)
    return reason


class ReasonLabelMixin:
    """History rows whose reason the services may have written: shown translated (`reason_label`)."""

    reason: str

    def reason_label(self) -> str:
        return reason_label(self.reason)

    reason_label.short_description = _("reason")  # type: ignore[attr-defined]


class StatusEventBase(ReasonLabelMixin, AppendOnlyModel):
    """One status change of a claim: who (or which job), when and why; subclasses add the claim and its statuses."""

    at = models.DateTimeField(_("at"))
    actor = person_link(_("actor"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta(AppendOnlyModel.Meta):
        abstract = True
        ordering = ["at", "pk"]


class RegistrationEvent(StatusEventBase):
    """One status change of a domain registration: who (or which job), when, from, to, why."""

    registration = models.ForeignKey(
        DomainRegistration, verbose_name=_("domain registration"), on_delete=models.PROTECT, related_name="events"
    )
    job = models.CharField(_("job"), max_length=64, blank=True, choices=RegistrationJob.choices)
    from_status = models.CharField(_("from"), max_length=12, blank=True, choices=RegistrationStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=RegistrationStatus.choices)

    class Meta(StatusEventBase.Meta):
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")

    def __str__(self) -> str:
        return gettext("Registration %(id)s: %(from)s → %(to)s") % {
            "id": self.registration_id,
            "from": self.get_from_status_display() or "—",
            "to": self.get_to_status_display(),
        }


class CommissionHold(models.Model):
    """A period during which a partner over its cap after the compliance deadline has commissions held."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="commission_holds"
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    live_at_start = models.PositiveIntegerField(_("live registrations at start"))
    cap_at_start = models.PositiveIntegerField(_("cap at start"))

    class Meta:
        verbose_name = _("commission hold")
        verbose_name_plural = _("commission holds")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"], condition=models.Q(ended_on__isnull=True), name="one_open_hold_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.started_on} → {self.ended_on or '…'}"


class Product(models.TextChoices):
    MARKETING = "marketing", _("Marketing Hub")
    SALES = "sales", _("Sales Hub")
    SERVICE = "service", _("Service Hub")
    CMS = "cms", _("CMS Hub")
    OPERATIONS = "operations", _("Operations Hub")
    SUITE = "suite", _("CRM Suite")


class Currency(models.TextChoices):
    USD = "USD", "USD"
    AUD = "AUD", "AUD"
    CAD = "CAD", "CAD"
    EUR = "EUR", "EUR"
    GBP = "GBP", "GBP"
    JPY = "JPY", "JPY"
    SGD = "SGD", "SGD"
    ZAR = "ZAR", "ZAR"
    COP = "COP", "COP"


class DealStage(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification")
    DISCOVERY = "discovery", _("Discovery")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    CLOSED_WON = "closed_won", _("Closed won")
    CLOSED_LOST = "closed_lost", _("Closed lost")


class DealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Deal(SubmittedClaimBase):
    """A deal registration: the partner claims a deal and collaborates on it with the vendor's sales rep."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="deals")
    company_name = models.CharField(_("company"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    products = models.JSONField(_("products"), default=list)
    expected_mrr = models.DecimalField(
        _("expected MRR"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    stage = models.CharField(_("stage"), max_length=16, choices=DealStage.choices, default=DealStage.QUALIFICATION)
    expected_close_on = models.DateField(_("expected close date"))
    partner_is_owner = models.BooleanField(_("partner is the deal owner"), default=True)
    sales_rep_name = models.CharField(_("sales rep name"), max_length=200, blank=True)
    sales_rep_email = models.EmailField(_("sales rep email"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.PENDING)

    class Meta:
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["partner", "status"]), models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.get_status_display()})"

    def product_labels(self) -> list[str]:
        labels = dict(Product.choices)
        return [str(labels.get(code, code)) for code in self.products]


class DealEvent(StatusEventBase):
    """The status history of a deal."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal registration"), on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from"), max_length=10, blank=True, choices=DealStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=DealStatus.choices)

    class Meta(StatusEventBase.Meta):
        verbose_name = _("deal event")
        verbose_name_plural = _("deal events")

    def __str__(self) -> str:
        return gettext("Deal %(id)s: %(from)s → %(to)s") % {
            "id": self.deal_id,
            "from": self.get_from_status_display() or "—",
            "to": self.get_to_status_display(),
        }


class DealNote(AppendOnlyModel):
    """One message of the notes thread shared by the partner and the vendor side."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal registration"), on_delete=models.PROTECT, related_name="notes")
    author = person_link(_("author"), blank=False)
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("deal note")
        verbose_name_plural = _("deal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.body[:40]}"
