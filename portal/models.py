"""People and partners: the shared model every feature app builds on."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from portal.errors import PortalError
from portal.fields import ChoiceListField
from portal.timezones import validate_time_zone


class HistoryIsAppendOnly(Exception):
    """History (audit entries, events, tier changes, notes, config history) is written once, never changed."""


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset of history rows: `update()` and `delete()` refuse (PostgreSQL triggers refuse raw SQL too)."""

    def update(self, **kwargs):
        raise HistoryIsAppendOnly(f"{self.model._meta.label} rows are never updated")

    def delete(self):
        raise HistoryIsAppendOnly(f"{self.model._meta.label} rows are never deleted")

    update.queryset_only = True
    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """A history row: inserted once; `save()` of an existing row and `delete()` refuse.

    This is an integrity guard, not a business rule: nothing in the portal edits history.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly(f"{self._meta.label} #{self.pk} is history and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(f"{self._meta.label} #{self.pk} is history and cannot be deleted")


class Tier(models.TextChoices):
    """The tier ladder, low → high (SPEC §2). Order matters: see `Tier.rank`."""

    SOLUTIONS_PARTNER = "solutions_partner", _("Solutions Partner")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")
    DIAMOND = "diamond", _("Diamond")
    ELITE = "elite", _("Elite")

    @classmethod
    def rank(cls, value: str) -> int:
        """The tier's place on the ladder (0 = solutions_partner): a lookup in a mapping built once."""
        return _TIER_RANKS[value]

    @classmethod
    def ladder(cls) -> list[str]:
        """The tiers above `solutions_partner`, low → high."""
        return cls.values[1:]


_TIER_RANKS: dict[str, int] = {value: rank for rank, value in enumerate(Tier.values)}


class PartnerKind(models.TextChoices):
    SOLUTIONS_PARTNER = "solutions_partner", _("Solutions partner")
    PROVIDER = "provider", _("Provider")


class Region(models.TextChoices):
    """The five world regions of the Partner Advisory Councils."""

    NORTH_AMERICA = "na", _("North America")
    LATIN_AMERICA = "latam", _("Latin America")
    EMEA = "emea", _("Europe, Middle East and Africa")
    APAC = "apac", _("Asia Pacific")
    JAPAN = "japan", _("Japan")


class Industry(models.TextChoices):
    """The industries a partner targets and a registered customer works in (directory, cap assistant)."""

    SOFTWARE = "software", _("Software and technology")
    MARKETING = "marketing", _("Marketing and advertising")
    RETAIL = "retail", _("Retail and e-commerce")
    FINANCE = "finance", _("Financial services")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    REAL_ESTATE = "real_estate", _("Real estate")
    TRAVEL = "travel", _("Travel and hospitality")
    PROFESSIONAL_SERVICES = "professional_services", _("Professional services")
    MEDIA = "media", _("Media and entertainment")
    NONPROFIT = "nonprofit", _("Non-profit")
    PUBLIC_SECTOR = "public_sector", _("Government and public sector")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    PARTNER_ADMIN = "partner_admin", _("Partner org admin")
    PARTNER_MEMBER = "partner_member", _("Partner member")
    CAM = "cam", _("Channel account manager")
    CC = "cc", _("Channel consultant")
    STAFF = "staff", _("Programme staff")


PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})


class Language(models.TextChoices):
    """The languages the portal speaks (settings.LANGUAGES): a person's choice for pages and emails."""

    ENGLISH = "en", _("English")
    JAPANESE = "ja", _("Japanese")


class WaitingEmails(models.TextChoices):
    """How a CAM or reviewer hears of decisions waiting for them."""

    IMMEDIATE = "immediate", _("One email for each, as it arrives")
    DIGEST = "digest", _("One daily digest")


class EmailKind(models.TextChoices):
    """The emails partner users may turn off; service emails (password links, security) are always sent."""

    REGISTRATION_DECISIONS = "registration_decisions", _("Domain registration decisions")
    DEAL_DECISIONS = "deal_decisions", _("Deal registration decisions")
    EXPIRY_REMINDERS = "expiry_reminders", _("Registration expiry reminders")
    PROGRAMME_DECISIONS = "programme_decisions", _("Programme decisions (PUG, HUG leaders, DEI&B, accreditations)")
    AWARDS = "awards", _("Impact awards published")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        """Login looks the email up case-insensitively (addresses are stored lower-cased)."""
        return self.get(email__iexact=(username or "").strip())

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("role", Role.STAFF)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address.

    Partner staff belong to one partner (`partner`, with an org role); CAMs and
    CCs are assigned partners through `Partner.cam` / `Partner.cc`; programme
    staff are Django staff users.
    """

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER_MEMBER)
    partner = models.ForeignKey(
        "portal.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "IANA name such as Asia/Tokyo. Empty: partner users read their partner's country's time, others UTC."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("Pages and emails in this language. Empty: Japanese for partners in Japan, else English."),
    )
    waiting_emails = models.CharField(
        _("emails about waiting decisions"),
        max_length=10,
        choices=WaitingEmails.choices,
        default=WaitingEmails.IMMEDIATE,
        help_text=_("For CAMs and reviewers: an email per submission or one daily digest."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the user is deactivated: sessions and API tokens from before it stop working
    # for good, so reactivating the user gives none of them back.
    credentials_revoked_at = models.DateTimeField(_("credentials revoked at"), null=True, blank=True, editable=False)

    objects = UserManager()
    # Role, partner, active flag and groups; never the password hash or login times.
    history = HistoricalRecords(
        bases=[AppendOnlyModel],
        excluded_fields=["password", "last_login", "date_joined"],
        m2m_fields=["groups"],
        m2m_bases=[AppendOnlyModel],
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_staff_home", _("Can open the staff home page"))]
        constraints = [
            models.CheckConstraint(
                name="partner_roles_have_partner",
                condition=(
                    models.Q(role__in=["partner_admin", "partner_member"], partner__isnull=False)
                    | (~models.Q(role__in=["partner_admin", "partner_member"]) & models.Q(partner__isnull=True))
                ),
            ),
            # One login per address whatever its case (addresses are also lower-cased on save).
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()

    def save(self, *args, **kwargs) -> None:
        # Normalisation, not a business rule: every path (admin, shell, services) stores lower case.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_session_auth_hash(self) -> str:
        """Django's hash (tied to the password) plus the last credential revocation.

        Without a revocation it is exactly Django's hash, so existing sessions survive the
        upgrade; after one, every session made before it fails the check for good.
        """
        base = super().get_session_auth_hash()
        if self.credentials_revoked_at is None:
            return base
        return salted_hmac(
            "portal.User.get_session_auth_hash",
            f"{base}:{self.credentials_revoked_at.isoformat()}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_partner_user(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_partner_admin(self) -> bool:
        return self.role == Role.PARTNER_ADMIN

    @property
    def is_cam(self) -> bool:
        return self.role == Role.CAM

    @property
    def is_cc(self) -> bool:
        return self.role == Role.CC

    @property
    def is_programme_staff(self) -> bool:
        """An active staff login (role staff). It opens the admin login; every right comes from permissions."""
        return self.is_active and self.is_staff and self.role == Role.STAFF

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Partner(models.Model):
    """A partner organisation (SPEC §2)."""

    partner_id = models.CharField(_("partner ID"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.SOLUTIONS_PARTNER
    )
    country = CountryField(_("HQ country"))
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    joined_on = models.DateField(_("joined on"))
    tier = models.CharField(_("current tier"), max_length=20, choices=Tier.choices, default=Tier.SOLUTIONS_PARTNER)
    tier_since = models.DateField(_("tier since"), null=True, blank=True)
    cam = models.ForeignKey(
        User,
        verbose_name=_("channel account manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cam_book",
        limit_choices_to={"role": Role.CAM},
    )
    cc = models.ForeignKey(
        User,
        verbose_name=_("channel consultant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cc_book",
        limit_choices_to={"role": Role.CC},
    )
    # Where and for whom the partner works: its directory listing, and the cap assistant's
    # "customer outside the partner's countries / industries" reasons.
    operating_countries = CountryField(_("operating countries"), multiple=True, blank=True)
    industries = ChoiceListField(_("target industries"), choices=Industry.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(bases=[AppendOnlyModel], excluded_fields=["tier", "tier_since"])

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        permissions = [("view_partner_history", _("Can view a partner's whole history"))]
        indexes = [models.Index(fields=["cam", "name"]), models.Index(fields=["kind", "tier"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner_id})"

    @property
    def is_provider(self) -> bool:
        return self.kind == PartnerKind.PROVIDER


def person_link(verbose_name: str, *, on_delete=models.PROTECT, blank: bool = True) -> models.ForeignKey:
    """The person who did something (acted, submitted, decided, created): may be empty (a job did it),
    and the person's side has no reverse accessor for it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=True,
        blank=blank,
        related_name="+",
    )


class AuditEntryBase(AppendOnlyModel):
    """Who changed what, when, from which state to which, and why.

    Feature apps subclass it for their own audit table (`class Meta(AuditEntryBase.Meta)`),
    name what their rows are about in a nested `Subject` (TextChoices: the stored code and
    its label for people), and write every row through `log` (zulip's typed audit events).
    """

    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = person_link(_("actor"))
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object id"))
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30)
    reason = models.TextField(_("why"), blank=True)

    class Meta(AppendOnlyModel.Meta):
        abstract = True
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "object_id"])]

    # Subclasses nest `class Subject(models.TextChoices)`; SUBJECTS ({code: label}) is derived from it.
    Subject: ClassVar[type[models.TextChoices]]
    SUBJECTS: ClassVar[dict[str, str]] = {}
    # Subclasses name their states for people ({code: lazy label}); codes stay in the table.
    STATES: ClassVar[dict[str, str]] = {}
    # Reasons the services write themselves: (pattern, label built from the match), shown translated.
    REASONS: ClassVar[list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]] = []

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "Subject" in cls.__dict__:
            cls.SUBJECTS = dict(cls.Subject.choices)

    def __str__(self) -> str:
        return gettext("%(subject)s #%(id)s: %(from)s → %(to)s") % {
            "subject": self.subject_label(),
            "id": self.object_id,
            "from": self.from_label() or "—",
            "to": self.to_label(),
        }

    def subject_label(self) -> str:
        return str(self.SUBJECTS.get(self.subject, self.subject))

    def from_label(self) -> str:
        return str(self.STATES.get(self.from_state, self.from_state))

    def to_label(self) -> str:
        return str(self.STATES.get(self.to_state, self.to_state))

    def reason_label(self) -> str:
        for pattern, label in self.REASONS:
            match = pattern.fullmatch(self.reason)
            if match:
                return label(match)
        return self.reason

    subject_label.short_description = _("subject")  # type: ignore[attr-defined]
    reason_label.short_description = _("why")  # type: ignore[attr-defined]
    from_label.short_description = _("from")  # type: ignore[attr-defined]
    to_label.short_description = _("to")  # type: ignore[attr-defined]

    @classmethod
    def entry(
        cls,
        subject: str,
        obj: models.Model,
        *,
        new: str,
        old: str = "",
        actor: User | None = None,
        reason: str = "",
        partner: Partner | int | None = None,
    ) -> AuditEntryBase:
        """An unsaved row: `subject` (one of `cls.Subject`) of `obj` went from `old` to `new`.

        The partner is `obj`'s own (`obj.partner_id`) unless given (a Partner or its id);
        an anonymous or missing actor is a job's write.
        """
        if subject not in cls.SUBJECTS:
            raise ValueError(f"{subject!r} is not an audit subject of {cls.__name__}")
        if partner is None:
            partner_id = getattr(obj, "partner_id", None)
        else:
            partner_id = partner if isinstance(partner, int) else partner.pk
        return cls(
            actor=actor if actor is not None and actor.is_authenticated else None,
            partner_id=partner_id,
            subject=subject,
            object_id=obj.pk,
            from_state=str(old),
            to_state=str(new),
            reason=reason,
        )

    @classmethod
    def log(
        cls,
        subject: str,
        obj: models.Model,
        *,
        new: str,
        old: str = "",
        actor: User | None = None,
        reason: str = "",
        partner: Partner | int | None = None,
    ) -> AuditEntryBase:
        """Write one audit row (see `entry`): `AuditEntry.log(Subject.X, thing, old=…, new=…, actor=…)`."""
        row = cls.entry(subject, obj, new=new, old=old, actor=actor, reason=reason, partner=partner)
        row.save()
        return row


class ApplicationWindowBase(models.Model):
    """A period partners may apply in, `opens_on` to `closes_on`, both days included.

    Subclasses (PUG review cycles, DEI&B cohorts, accreditation windows) declare the two date fields.
    """

    opens_on: models.DateField
    closes_on: models.DateField

    class Meta:
        abstract = True

    def is_open_on(self, day: dt.date) -> bool:
        return self.opens_on <= day <= self.closes_on

    @classmethod
    def open_on(cls, day: dt.date) -> models.QuerySet:
        """The windows open on `day`, latest first."""
        return cls.objects.filter(opens_on__lte=day, closes_on__gte=day).order_by("-opens_on")


class DecisionBase(models.Model):
    """Who decided, when and why: the columns of everything staff or a CAM decide on
    (programme applications, domain and deal registrations)."""

    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = person_link(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True


def applying_partner(*, related_name: str) -> models.ForeignKey:
    """The partner an application comes from (its applications go with it)."""
    return models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name=related_name)


def application_status(choices: type[models.TextChoices], *, max_length: int = 12) -> models.CharField:
    """An application's status column: one of `choices`, `submitted` until decided."""
    return models.CharField(_("status"), max_length=max_length, choices=choices.choices, default=choices.SUBMITTED)


class ReviewedApplicationBase(DecisionBase):
    """The review half of an application staff decide on: when it came in, who decided, when and why.

    Subclasses add the applicant (`applying_partner`), what is applied for and their own status
    column (`application_status`), and say where a decision is audited:
    `AUDIT = (their AuditEntryBase table, its subject)`.
    """

    AUDIT: ClassVar[tuple[type[AuditEntryBase], str]]

    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta(DecisionBase.Meta):
        abstract = True

    @classmethod
    def decide(
        cls,
        application: ReviewedApplicationBase,
        *,
        from_status: str,
        to_status: str,
        actor: User,
        refuse: type[PortalError],
        reason: str = "",
        reason_needed: str = "",
        **extra,
    ) -> None:
        """`decision_record`, refusing with the app's `refuse`: with `reason_needed` (the message)
        when no reason is given, and when another reviewer (or a double click) decided first."""
        reason = reason.strip()
        if reason_needed and not reason:
            raise refuse(reason_needed)
        recorded = cls.decision_record(
            application=application, from_status=from_status, to_status=to_status, actor=actor, reason=reason, **extra
        )
        if not recorded:
            raise refuse(gettext("This application has already been decided."))

    @classmethod
    def decision_record(
        cls,
        *,
        application: ReviewedApplicationBase,
        from_status: str,
        to_status: str,
        actor: User,
        reason: str,
        audit_reason: str | None = None,
        **extra,
    ) -> bool:
        """Move an application from `from_status` to `to_status` once, with a conditional update, and audit it.

        False when another reviewer (or a double click) decided it first: the caller then
        refuses and writes nothing more. On success `application` is refreshed and the
        decision logged (with `audit_reason` when the audit says more than the stored reason).
        """
        updated = cls.objects.filter(pk=application.pk, status=from_status).update(
            status=to_status, decision_reason=reason, decided_by=actor, decided_at=timezone.now(), **extra
        )
        if updated:
            application.refresh_from_db()
            table, subject = cls.AUDIT
            why = reason if audit_reason is None else audit_reason
            table.log(subject, application, old=from_status, new=to_status, actor=actor, reason=why)
        return bool(updated)


class EmailOptOut(models.Model):
    """A partner user turned off one kind of email (`EmailKind`); no row means they receive it."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(_("email"), max_length=40, choices=EmailKind.choices)
    created_at = models.DateTimeField(_("turned off at"), default=timezone.now)

    class Meta:
        verbose_name = _("email turned off")
        verbose_name_plural = _("emails turned off")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_email_opt_out")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutgoingEmail(models.Model):
    """One message in the outbox: stored in the transaction of the decision that causes it,
    sent afterwards by a worker (`portal.services.outgoing_email_deliver`), retried with backoff.

    Status changes only in `portal.services` (deliver, retry).
    """

    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    from_email = models.CharField(pgettext_lazy("email", "from"), max_length=320)
    to = models.JSONField(pgettext_lazy("email", "to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("bcc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_due")]

    def __str__(self) -> str:
        return f"{', '.join(self.to)}: {self.subject}"


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    WAITING = "waiting", _("Waiting")
    REFUSED = "refused", pgettext_lazy("job outcome", "Refused")
    FAILED = "failed", pgettext_lazy("job outcome", "Failed")


class JobRun(models.Model):
    """The run ledger of every scheduled job (portal/jobs.py writes it).

    One row per attempt. The start row is committed before the work and the
    outcome after it in its own transaction, so a refused or failed run is
    recorded even though its work rolled back. At most one *done* row per
    (job, period): a second run of a finished period changes nothing.
    """

    job = models.CharField(_("job"), max_length=60)
    period = models.CharField(_("period"), max_length=60, help_text=_("YYYY-MM, YYYY-MM-DD or YYYY-Qn"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=JobOutcome.choices, default=JobOutcome.RUNNING)
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    actor = models.CharField(_("started by"), max_length=254, blank=True, help_text=_("beat, a command or a person"))
    note = models.TextField(_("note"), blank=True, help_text=_("e.g. why an off-cycle run was forced"))

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "period"], condition=models.Q(outcome="done"), name="unique_done_run_per_job_period"
            )
        ]
        indexes = [models.Index(fields=["job", "period"]), models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return gettext("%(job)s, %(period)s (%(outcome)s)") % {
            "job": self.job_label(),
            "period": self.period,
            "outcome": self.get_outcome_display(),
        }

    def job_label(self) -> str:
        """The job's name for people (its registered label); the raw name when no app registers it."""
        from portal.jobs import job_label

        return job_label(self.job)

    job_label.short_description = _("job")  # type: ignore[attr-defined]
