"""People and partners: the shared model every feature app builds on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.timezones import validate_time_zone


class Tier(models.TextChoices):
    """The tier ladder, low → high (SPEC §2). Order matters: see `Tier.rank`."""

    SOLUTIONS_PARTNER = "solutions_partner", _("Solutions Partner")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")
    DIAMOND = "diamond", _("Diamond")
    ELITE = "elite", _("Elite")

    @classmethod
    def rank(cls, value: str) -> int:
        return cls.values.index(value)

    @classmethod
    def ladder(cls) -> list[str]:
        """The tiers above `solutions_partner`, low → high."""
        return cls.values[1:]


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


class Role(models.TextChoices):
    PARTNER_ADMIN = "partner_admin", _("Partner org admin")
    PARTNER_MEMBER = "partner_member", _("Partner member")
    CAM = "cam", _("Channel account manager")
    CC = "cc", _("Channel consultant")
    STAFF = "staff", _("Programme staff")


PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

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
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="partner_roles_have_partner",
                condition=(
                    models.Q(role__in=["partner_admin", "partner_member"], partner__isnull=False)
                    | (~models.Q(role__in=["partner_admin", "partner_member"]) & models.Q(partner__isnull=True))
                ),
            )
        ]

    def __str__(self) -> str:
        return self.email

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
        return self.is_staff and self.role == Role.STAFF

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
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cam_book",
        limit_choices_to={"role": Role.CAM},
    )
    cc = models.ForeignKey(
        User,
        verbose_name=_("channel consultant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cc_book",
        limit_choices_to={"role": Role.CC},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        indexes = [models.Index(fields=["cam", "name"]), models.Index(fields=["kind", "tier"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner_id})"

    @property
    def is_provider(self) -> bool:
        return self.kind == PartnerKind.PROVIDER


class AuditEntryBase(models.Model):
    """Who changed what, when, from which state to which, and why.

    Feature apps subclass it for their own audit table (`class Meta(AuditEntryBase.Meta)`)
    and write rows through `record`.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object id"))
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "object_id"])]

    def __str__(self) -> str:
        return f"{self.subject}#{self.object_id}: {self.from_state or '∅'} → {self.to_state}"

    @classmethod
    def record(
        cls,
        *,
        actor: User | None,
        subject: str,
        object_id: int,
        to_state: str,
        from_state: str = "",
        partner: Partner | None = None,
        reason: str = "",
    ) -> AuditEntryBase:
        return cls.objects.create(
            actor=actor if actor is not None and actor.is_authenticated else None,
            partner=partner,
            subject=subject,
            object_id=object_id,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
        )


class ReviewedApplicationBase(models.Model):
    """The review half of an application staff decide on: when it came in, who decided, when and why.

    Subclasses add the applicant, what is applied for and their own status column.
    """

    decision_reason = models.TextField(_("decision reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        abstract = True

    @classmethod
    def decision_record(
        cls,
        *,
        application: ReviewedApplicationBase,
        from_status: str,
        to_status: str,
        actor: User,
        reason: str,
        **extra,
    ) -> bool:
        """Move an application from `from_status` to `to_status` once, with a conditional update.

        False when another reviewer (or a double click) decided it first: the caller then
        refuses and writes nothing more. On success `application` is refreshed.
        """
        updated = cls.objects.filter(pk=application.pk, status=from_status).update(
            status=to_status, decision_reason=reason, decided_by=actor, decided_at=timezone.now(), **extra
        )
        if updated:
            application.refresh_from_db()
        return bool(updated)
