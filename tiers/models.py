"""Tier engine data: rule sets, monthly MRR and its completeness, snapshots, tier history (SPEC §3).

Runs are recorded in the portal-wide ledger (`portal.models.JobRun`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from portal.models import AppendOnlyModel, JobRun, Partner, Tier

MONEY = {"max_digits": 16, "decimal_places": 2}
POINTS = {"max_digits": 18, "decimal_places": 4}
COEFFICIENT = {"max_digits": 20, "decimal_places": 12}
# Zero or negative coefficients and multipliers are refused in admin forms as in rule files.
POSITIVE_COEFFICIENT = MinValueValidator(Decimal("0.000000000001"), message=_("Must be greater than 0."))
POSITIVE_MULTIPLIER = MinValueValidator(Decimal("0.001"), message=_("Must be greater than 0."))
PERCENT = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))]


class EmergingMarketGroup(models.TextChoices):
    """The seed's groups of emerging markets (SPEC §3.3); the stored values are the seed's English names."""

    INDIA = "India", _("India")
    LATIN_AMERICA = "Latin America", _("Latin America")
    NORTH_ASIA = "North Asia", _("North Asia")
    SOUTHEAST_ASIA = "Southeast Asia", _("Southeast Asia")


class EmergingMarket(models.Model):
    """A country whose customers (points) or partners (legacy) earn the multiplier (SPEC §3.3)."""

    country = CountryField(_("country"), unique=True)
    group = models.CharField(_("group"), max_length=60, choices=EmergingMarketGroup.choices)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(bases=[AppendOnlyModel])

    class Meta:
        verbose_name = _("emerging market")
        verbose_name_plural = _("emerging markets")
        ordering = ["group", "country"]

    def __str__(self) -> str:
        return f"{self.country.name} ({self.get_group_display()})"


class Framework(models.TextChoices):
    LEGACY = "legacy", _("Legacy (sold and managed MRR)")
    POINTS = "points", _("Points")


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Metric(models.TextChoices):
    """What a tier requirement measures. Phase 2 adds metrics, not engine code (SPEC §3.7)."""

    POINTS = "points", _("Points")
    MIN_SALES_POINTS = "min_sales_points", _("Minimum sales points")
    SOLD_MRR = "sold_mrr", _("Sold MRR (USD)")
    MANAGED_MRR = "managed_mrr", _("Managed MRR (USD)")
    # Phase 2 (from 2023): customer success and knowledge. Values as of the judged month;
    # see docs/rules.md and tiers.metric_sources for where each comes from.
    CUSTOMER_REVENUE_RETENTION = "customer_revenue_retention", _("Customer revenue retention (%)")
    REVIEW_RATING = "review_rating", _("Client review rating")
    CERTIFIED_PEOPLE = "certified_people", _("Certified people")
    ACCREDITATIONS = "accreditations", _("Accreditations held")


class Dimension(models.TextChoices):
    """What a metric measures, for grouping requirements on pages (SPEC §3.7)."""

    POINTS = "points", _("Points")
    CUSTOMER_SUCCESS = "customer_success", _("Customer success")
    KNOWLEDGE = "knowledge", _("Knowledge")


METRIC_DIMENSION = {
    Metric.POINTS: Dimension.POINTS,
    Metric.MIN_SALES_POINTS: Dimension.POINTS,
    Metric.SOLD_MRR: Dimension.POINTS,
    Metric.MANAGED_MRR: Dimension.POINTS,
    Metric.CUSTOMER_REVENUE_RETENTION: Dimension.CUSTOMER_SUCCESS,
    Metric.REVIEW_RATING: Dimension.CUSTOMER_SUCCESS,
    Metric.CERTIFIED_PEOPLE: Dimension.KNOWLEDGE,
    Metric.ACCREDITATIONS: Dimension.KNOWLEDGE,
}
# How pages write each metric's figures (tiers_extras.figure): points, US dollars, a percentage, a rating, a count.
METRIC_UNIT = {
    Metric.POINTS: "points",
    Metric.MIN_SALES_POINTS: "points",
    Metric.SOLD_MRR: "money",
    Metric.MANAGED_MRR: "money",
    Metric.CUSTOMER_REVENUE_RETENTION: "percent",
    Metric.REVIEW_RATING: "rating",
    Metric.CERTIFIED_PEOPLE: "count",
    Metric.ACCREDITATIONS: "count",
}
# The Phase 2 metrics, in display order; each has a nullable column of the same name on MonthlySnapshot.
PHASE2_METRICS = (
    Metric.CUSTOMER_REVENUE_RETENTION,
    Metric.REVIEW_RATING,
    Metric.CERTIFIED_PEOPLE,
    Metric.ACCREDITATIONS,
)


class RuleSet(models.Model):
    """A versioned set of tier thresholds and coefficients, in force from `effective_from`."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    framework = models.CharField(_("framework"), max_length=10, choices=Framework.choices)
    effective_from = models.DateField(_("effective from"))
    status = models.CharField(_("status"), max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    emerging_market_multiplier = models.DecimalField(
        _("emerging-market multiplier"), max_digits=6, decimal_places=3, validators=[POSITIVE_MULTIPLIER]
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(bases=[AppendOnlyModel])

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["-effective_from", "name"]
        permissions = [
            ("publish_ruleset", _("Can publish and unpublish rule sets")),
            ("run_whatif", _("Can run the what-if comparison")),
        ]
        indexes = [models.Index(fields=["status", "effective_from"])]
        constraints = [
            # Two published rule sets from one date would leave "which judges?" to the tie-break.
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=models.Q(status="published"),
                name="one_published_rule_set_per_effective_date",
                violation_error_message=_("A published rule set already takes effect on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_framework_display()}, {self.effective_from:%Y-%m-%d})"


class CurrencyCoefficient(models.Model):
    """Per-currency coefficients: points per unit (points) or USD per unit (legacy)."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="coefficients"
    )
    currency = models.CharField(_("currency"), max_length=3)
    sales = models.DecimalField(_("sales coefficient"), **COEFFICIENT, validators=[POSITIVE_COEFFICIENT])
    managed = models.DecimalField(_("managed coefficient"), **COEFFICIENT, validators=[POSITIVE_COEFFICIENT])

    history = HistoricalRecords(bases=[AppendOnlyModel])

    class Meta:
        verbose_name = _("currency coefficient")
        verbose_name_plural = _("currency coefficients")
        constraints = [models.UniqueConstraint(fields=["rule_set", "currency"], name="unique_coefficient_per_currency")]
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency}: {self.sales} / {self.managed}"


class TierRequirement(models.Model):
    """One threshold of one tier in one rule set: (tier, metric) → threshold."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="requirements"
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    threshold = models.DecimalField(_("threshold"), **POINTS)

    history = HistoricalRecords(bases=[AppendOnlyModel])

    class Meta:
        verbose_name = _("tier requirement")
        verbose_name_plural = _("tier requirements")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "tier", "metric"], name="unique_requirement_per_tier_metric")
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.get_metric_display()} ≥ {self.threshold.normalize():f}"


class CustomerMRR(models.Model):
    """One customer account's MRR for one partner and month, in the customer's billing currency."""

    # No database-level FK trigger: the bulk import checks every partner_id itself and
    # locks the referenced partners in one set-based `FOR KEY SHARE` (what the per-row
    # trigger would do, ~40% of a 250,000-row import). Deletes still cascade (Django).
    # No index of its own either: see the one unique index below.
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="customer_mrr",
        db_constraint=False,
        db_index=False,
    )
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    customer_domain = models.CharField(_("customer domain"), max_length=253)
    customer_country = CountryField(_("customer HQ country"))
    currency = models.CharField(_("currency"), max_length=3)
    sold_mrr = models.DecimalField(_("sold MRR"), **MONEY)
    managed_mrr = models.DecimalField(_("managed MRR"), **MONEY)

    class Meta:
        verbose_name = _("customer MRR")
        verbose_name_plural = _("customer MRR")
        # One index besides the primary key (each index is written on every imported row): the
        # unique (month, partner, customer_domain) key serves the monthly run (a month), the
        # breakdown (a month and partner), the admin list's order and the import's key.
        # Deleting a partner scans its rows (rare; no index leads with the partner).
        constraints = [
            models.UniqueConstraint(
                fields=["month", "partner", "customer_domain"], name="unique_mrr_per_month_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m} {self.customer_domain}"


class MonthCompleteness(models.Model):
    """Whether a month's MRR is complete: the scheduled evaluation of a month waits until it is.

    Marked by `import_mrr FILE --complete` or by staff in admin. `late_alert_sent_at`
    records the one alert staff get when a month is still incomplete a few days after it ended.
    """

    month = models.DateField(_("month"), unique=True, help_text=_("first day of the month"))
    complete = models.BooleanField(_("complete"), default=False)
    completed_at = models.DateTimeField(_("marked complete at"), null=True, blank=True)
    completed_by = models.CharField(_("marked complete by"), max_length=254, blank=True)
    late_alert_sent_at = models.DateTimeField(_("late-data alert sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("MRR month")
        verbose_name_plural = _("MRR months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlySnapshot(models.Model):
    """A partner's evaluation for one month, judged by the rule set in force on the month's last day.

    Points-framework months fill the points columns; legacy months fill the USD
    columns (and points = 0). Both always carry the USD figures for display.
    """

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="snapshots")
    month = models.DateField(_("month"))
    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="snapshots"
    )
    sales_points = models.DecimalField(_("sales points"), **POINTS, default=0)
    managed_points = models.DecimalField(_("managed points"), **POINTS, default=0)
    points = models.DecimalField(_("points"), **POINTS, default=0)
    sold_mrr_usd = models.DecimalField(_("sold MRR (USD)"), **POINTS, default=0)
    managed_mrr_usd = models.DecimalField(_("managed MRR (USD)"), **POINTS, default=0)
    customer_count = models.PositiveIntegerField(_("customers"), default=0)
    # Phase 2 (docs/rules.md): filled only when the judging rule set requires the metric, else NULL.
    # A NULL retention under a rule set that requires it means "no customers 12 months before".
    customer_revenue_retention = models.DecimalField(
        _("customer revenue retention (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    review_rating = models.DecimalField(
        _("client review rating"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    certified_people = models.PositiveIntegerField(_("certified people"), null=True, blank=True)
    accreditations = models.PositiveIntegerField(_("accreditations held"), null=True, blank=True)
    achieved_tier = models.CharField(_("achieved tier"), max_length=20, choices=Tier.choices)
    run = models.ForeignKey(JobRun, verbose_name=_("job run"), on_delete=models.PROTECT, related_name="snapshots")

    class Meta:
        verbose_name = _("monthly snapshot")
        verbose_name_plural = _("monthly snapshots")
        ordering = ["partner", "month"]
        constraints = [models.UniqueConstraint(fields=["partner", "month"], name="unique_snapshot_per_partner_month")]
        indexes = [models.Index(fields=["month", "achieved_tier"])]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m}: {self.get_achieved_tier_display()}"


class TierChange(AppendOnlyModel):
    """Every change of a partner's tier, with its reason and the run that made it."""

    class Reason(models.TextChoices):
        PROMOTION = "promotion", _("Monthly promotion")
        REASSESSMENT = "reassessment", _("Semiannual reassessment")
        MANUAL = "manual", _("Manual change")
        CORRECTION = "correction", _("MRR correction")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="tier_changes"
    )
    from_tier = models.CharField(_("from"), max_length=20, choices=Tier.choices)
    to_tier = models.CharField(_("to"), max_length=20, choices=Tier.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    effective_on = models.DateField(_("effective on"))
    run = models.ForeignKey(
        JobRun, verbose_name=_("job run"), on_delete=models.PROTECT, null=True, blank=True, related_name="tier_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        permissions = [("set_tier_manually", _("Can set a partner's tier manually"))]
        ordering = ["partner", "effective_on", "created_at"]
        indexes = [models.Index(fields=["partner", "effective_on"])]

    def __str__(self) -> str:
        return gettext("%(partner)s: %(from)s → %(to)s on %(date)s") % {
            "partner": self.partner_id,
            "from": self.get_from_tier_display(),
            "to": self.get_to_tier_display(),
            "date": self.effective_on.isoformat(),
        }


class ProgrammeTargets(models.Model):
    """The share of tiered partners the programme aims to have at or above each tier (SPEC §3.6).

    One row (pk 1), edited by staff in admin with its history; the what-if reads it.
    """

    elite_percent = models.DecimalField(
        _("Elite target (percent)"), max_digits=5, decimal_places=2, default=Decimal(1), validators=PERCENT
    )
    diamond_percent = models.DecimalField(
        _("Diamond target (percent)"), max_digits=5, decimal_places=2, default=Decimal(10), validators=PERCENT
    )
    platinum_percent = models.DecimalField(
        _("Platinum target (percent)"), max_digits=5, decimal_places=2, default=Decimal(40), validators=PERCENT
    )

    history = HistoricalRecords(bases=[AppendOnlyModel])

    class Meta:
        verbose_name = _("programme targets")
        verbose_name_plural = _("programme targets")
        constraints = [models.CheckConstraint(name="programme_targets_singleton", condition=models.Q(pk=1))]

    def __str__(self) -> str:
        return gettext("Programme targets")

    def clean(self) -> None:
        # Cumulative shares: the top 1% are inside the top 10%, which are inside the top 40%.
        if not (self.elite_percent <= self.diamond_percent <= self.platinum_percent):
            raise ValidationError(_("The targets must grow down the ladder: Elite ≤ Diamond ≤ Platinum."))

    @classmethod
    def get(cls) -> ProgrammeTargets:
        targets, _created = cls.objects.get_or_create(pk=1)
        return targets

    @classmethod
    def current(cls) -> ProgrammeTargets:
        """The targets in force, read in one query (the defaults until staff first save them)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def by_tier(self) -> dict[str, Decimal]:
        """Tier → target share of tiered partners at or above it, highest tier first."""
        return {
            Tier.ELITE: self.elite_percent,
            Tier.DIAMOND: self.diamond_percent,
            Tier.PLATINUM: self.platinum_percent,
        }


class UploadKind(models.TextChoices):
    MRR = "mrr", _("MRR CSV")
    PARTNERS = "partners", _("Partner CSV")
    RULE_SET = "rule_set", _("Rule set JSON")


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class UploadPhase(models.TextChoices):
    WAITING = "waiting", _("Waiting for the worker")
    READING = "reading", _("Reading the file")
    CHECKING = "checking", _("Checking every row")
    WRITING = "writing", _("Writing")
    FINISHED = "finished", _("Finished")


class Upload(models.Model):
    """A file staff uploaded in the browser and its import, as the worker reports it (`tiers.uploads`).

    The file itself is kept here, not on the web server's disk, so the worker may run on
    another machine. `status` changes in `tiers.uploads` only; the row is the record of
    who uploaded what, when, and the outcome.
    """

    FINISHED = (UploadStatus.DONE, UploadStatus.REFUSED, UploadStatus.FAILED)

    kind = models.CharField(_("kind"), max_length=16, choices=UploadKind.choices)
    content = models.BinaryField(_("file"))
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    complete = models.BooleanField(
        _("mark its months complete"), default=False, help_text=_("MRR only: the months in the file are complete")
    )
    draft = models.BooleanField(_("as a draft"), default=False, help_text=_("Rule sets only: import as a draft"))
    # The uploader's language when uploading: the worker writes the problems in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="tier_uploads",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    phase = models.CharField(_("phase"), max_length=16, choices=UploadPhase.choices, default=UploadPhase.WAITING)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-uploaded_at", "-pk"]
        permissions = [("upload_files", _("Can upload MRR, partner and rule-set files"))]
        indexes = [models.Index(fields=["-uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED
