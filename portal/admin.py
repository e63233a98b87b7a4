from __future__ import annotations

from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin as OtpStaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OtpTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from portal import exports
from portal.access import VIEW_PARTNER_HISTORY, has_perm
from portal.exports import Column, admin_export_actions
from portal.jobs import job_label
from portal.models import EmailOptOut, JobRun, OutgoingEmail, Partner, Role, User
from portal.selectors import is_last_active_partner_admin
from portal.services import last_admin_message, outgoing_emails_retry, user_credentials_revoke


class NoWritesMixin:
    """Rows shown in the admin, never added, changed or deleted there (the services write them)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryReadOnlyAdmin(NoWritesMixin, admin.ModelAdmin):
    """History (audit entries, events, tier changes, notes): list and inspect, never add, change or delete."""


class HistoryReadOnlyInline(NoWritesMixin):
    """An inline of history rows: shown, never added, changed or deleted."""

    can_delete = False
    extra = 0


class ReviewedApplicationAdmin(admin.ModelAdmin):
    """An application staff decide (`ReviewedApplicationBase`): found by the partner's name or id; its status
    and decision are read-only (the app's services write them); decision actions show only to people
    holding `review_permission` (the services check the same)."""

    review_permission: str
    search_fields = ("partner__name", "partner__partner_id")
    readonly_fields = ("status", "decided_by", "decided_at", "decision_reason")

    def has_review_permission(self, request) -> bool:
        return has_perm(request.user, self.review_permission)


class ConfigHistoryAdmin(SimpleHistoryAdmin):
    """Configuration edited in admin: every save is recorded (who, when, old → new) by django-simple-history.

    The "History" page lists the changes; reverting is off (a revert would be a silent edit).
    """

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("reverting from history is off; edit the record instead")
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


# The site's titles and its index by duty: `portal.admin_site.PortalAdminSite`.


class PortalUserChangeForm(UserChangeForm):
    def clean(self) -> dict:
        """Staff cannot deactivate, demote or move the last active org admin of a partner either."""
        cleaned = super().clean()
        before = self.instance
        stays_admin = (
            cleaned.get("is_active", before.is_active)
            and cleaned.get("role", before.role) == Role.PARTNER_ADMIN
            and getattr(cleaned.get("partner"), "pk", before.partner_id) == before.partner_id
        )
        if before.pk and not stays_admin and is_last_active_partner_admin(User.objects.get(pk=before.pk)):
            raise ValidationError(last_admin_message(before.email))
        return cleaned


# Django stores permission names in English ("Can add partner"); staff read them in their language.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


HISTORICAL_MODEL = _("%(model)s (history)")
M2M_MODEL = _("%(model)s: %(field)s")


def _model_label(model) -> str:
    """A model's name for people; django-simple-history's record models read "<model> (history)"."""
    instance_type = getattr(model, "instance_type", None)  # set by django-simple-history on its models
    if instance_type is not None and instance_type is not model:
        return str(HISTORICAL_MODEL % {"model": _model_label(instance_type)})
    if model._meta.auto_created:  # a many-to-many table: "<model>: <field>"
        for field in model._meta.auto_created._meta.many_to_many:
            if field.remote_field.through is model:
                return str(
                    M2M_MODEL % {"model": model._meta.auto_created._meta.verbose_name, "field": field.verbose_name}
                )
    return str(model._meta.verbose_name)


def permission_label(permission: Permission) -> str:
    """A permission as `app | model | action`, in the reader's language.

    Django stores permission names in English when they are created: Django's four default actions
    are rebuilt from the translated model name, custom ones come from the model's `Meta.permissions`
    (translatable in code).
    """
    model = permission.content_type.model_class()
    if model is None:  # a content type whose model is gone
        return f"{permission.content_type} | {permission.name}"
    model_label = _model_label(model)
    action, _sep, model_name = permission.codename.partition("_")
    custom = dict(model._meta.permissions)
    if permission.codename in custom:
        name = str(custom[permission.codename])
    elif action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = str(PERMISSION_ACTIONS[action] % {"model": model_label})
    else:
        name = permission.name
    return f"{model._meta.app_config.verbose_name} | {model_label} | {name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.remote_field.model is Permission:
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissionsMixin, DjangoGroupAdmin):
    """The duty groups read under their translated labels (`Group.__str__`, see portal/third_party_messages.py)."""

    list_display = ["label"]

    @admin.display(description=_("name"), ordering="name")
    def label(self, obj: Group) -> str:
        return str(obj)


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, DjangoUserAdmin, ConfigHistoryAdmin):
    """People are deactivated (untick "active"), never deleted: their names stay on the history they wrote."""

    form = PortalUserChangeForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "partner", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "groups"]
    search_fields = ["email", "full_name", "partner__name", "partner__partner_id"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "partner", "time_zone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        # The person's own choices (their account page): shown, never edited here.
        (_("Language and emails"), {"fields": ("language", "waiting_emails", "emails_turned_off")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "partner", "password1", "password2")}),)
    # Only superusers hand out rights; partner operations manage profiles, roles and the active flag.
    privilege_fields = ("is_staff", "is_superuser", "groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined", "language", "waiting_emails", "emails_turned_off")

    @admin.display(description=_("emails turned off"))
    def emails_turned_off(self, obj: User) -> str:
        kinds = [str(opt_out.get_kind_display()) for opt_out in obj.email_opt_outs.order_by("kind")]
        return ", ".join(kinds) or "—"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.privilege_fields if f not in fields]
        return fields

    def save_model(self, request, obj: User, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated in admin: end the user's sessions and API tokens for good, as the team page does.
            user_credentials_revoke(user=obj)


@admin.register(Partner)
class PartnerAdmin(ConfigHistoryAdmin):
    list_display = ["partner_id", "name", "kind", "tier", "tier_since", "country", "region", "cam", "joined_on"]
    actions = admin_export_actions(
        columns=(
            Column(_("Partner ID"), attrgetter("partner_id")),
            Column(_("Partner"), attrgetter("name")),
            Column(_("Kind"), lambda p: p.get_kind_display()),
            Column(_("Tier"), lambda p: p.get_tier_display()),
            Column(_("Tier since"), attrgetter("tier_since"), exports.DATE),
            Column(_("Country"), lambda p: p.country.name),
            Column(_("Region"), lambda p: p.get_region_display()),
            Column(_("CAM"), lambda p: p.cam.email if p.cam else ""),
            Column(_("Joined"), attrgetter("joined_on"), exports.DATE),
        ),
        name="partners",
    )
    list_filter = ["kind", "tier", "region", ("cam", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["partner_id", "name", "cam__email", "cam__full_name", "cc__email"]
    list_select_related = ["cam", "cc"]
    autocomplete_fields = ["cam", "cc"]
    date_hierarchy = "joined_on"
    # The tier changes only through the tier engine's services (history kept there).
    readonly_fields = ["tier", "tier_since", "created_at", "whole_history"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is not None else [f for f in fields if f != "whole_history"]

    @admin.display(description=_("whole history"))
    def whole_history(self, obj: Partner) -> str:
        url = reverse("partner-history", kwargs={"partner_id": obj.partner_id})
        return format_html('<a href="{}">{}</a>', url, _("Tier, registration, deal and programme history"))

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or not has_perm(request.user, VIEW_PARTNER_HISTORY):
            fields = [f for f in fields if f != "whole_history"]
        return fields


class _LabelledCodeFilter(admin.SimpleListFilter):
    """Filter an audit table by a code column, offering the codes under their labels."""

    labels_attribute = ""

    def lookups(self, request, model_admin):
        labels = getattr(model_admin.model, self.labels_attribute)
        codes = model_admin.model.objects.values_list(self.parameter_name, flat=True).distinct()
        return sorted(((code, str(labels.get(code, code))) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class SubjectFilter(_LabelledCodeFilter):
    title = _("subject")
    parameter_name = "subject"
    labels_attribute = "SUBJECTS"


class ToStateFilter(_LabelledCodeFilter):
    title = _("to")
    parameter_name = "to_state"
    labels_attribute = "STATES"


class AuditEntryAdmin(HistoryReadOnlyAdmin):
    """Read-only list of a feature app's audit table (a subclass of `AuditEntryBase`)."""

    list_display = ("at", "subject_label", "object_id", "from_label", "to_label", "actor", "partner")
    list_filter = (SubjectFilter, ToStateFilter)
    search_fields = ("subject", "reason", "partner__partner_id", "actor__email")
    list_select_related = ("actor", "partner")

    def get_readonly_fields(self, request, obj=None):
        # Codes are shown under their labels (the table keeps the codes).
        labelled = {
            "subject": "subject_label",
            "from_state": "from_label",
            "to_state": "to_label",
            "reason": "reason_label",
        }
        return [labelled.get(field.name, field.name) for field in self.model._meta.fields if field.name != "id"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)


@admin.register(EmailOptOut)
class EmailOptOutAdmin(NoWritesMixin, admin.ModelAdmin):
    """Which emails partner users turned off on their account page: their own choice, read-only here."""

    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__partner__name"]
    list_select_related = ["user"]
    fields = readonly_fields = ["user", "kind", "created_at"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits for a retry, what failed for good (and why)."""

    list_display = ["created_at", "status", "recipients", "subject", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.display(description=pgettext_lazy("email", "to"))
    def recipients(self, obj: OutgoingEmail) -> str:
        return ", ".join(obj.to)

    # Bodies are not shown: a queued password-reset email carries a link that logs in as its recipient.
    exclude = ["body", "html_body", "headers"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name not in self.exclude]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send the selected emails again now"), permissions=["change"])
    def retry(self, request, queryset) -> None:
        count = outgoing_emails_retry(ids=queryset.values_list("pk", flat=True), acting_user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d email queued to be sent again.", "%(count)d emails queued to be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class JobFilter(admin.SimpleListFilter):
    """Filter the ledger by job, offering the jobs under their labels."""

    title = _("job")
    parameter_name = "job"

    def lookups(self, request, model_admin):
        names = JobRun.objects.values_list("job", flat=True).distinct()
        return sorted(((name, job_label(name)) for name in names), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(job=self.value()) if self.value() else queryset


@admin.register(JobRun)
class JobRunAdmin(HistoryReadOnlyAdmin):
    """The run ledger of every scheduled job: written by portal/jobs.py only, read-only here."""

    list_display = ["job_label", "period", "outcome", "started_at", "duration", "reason", "actor"]
    actions = admin_export_actions(
        columns=(
            Column(_("Job"), lambda run: job_label(run.job)),
            Column(_("Period"), attrgetter("period")),
            Column(_("Outcome"), lambda run: run.get_outcome_display()),
            Column(_("Started"), attrgetter("started_at"), exports.DATETIME),
            Column(_("Finished at"), attrgetter("finished_at"), exports.DATETIME),
            Column(
                _("Duration (s)"), lambda run: run.duration.total_seconds() if run.duration else None, exports.NUMBER
            ),
            Column(_("Reason"), attrgetter("reason")),
            Column(_("Started by"), attrgetter("actor")),
        ),
        name="job-runs",
    )
    list_filter = ["outcome", JobFilter]
    search_fields = ["job", "period", "reason"]
    date_hierarchy = "started_at"
    # The job under its label (the table keeps the name).
    fields = [
        "job_label",
        "period",
        "outcome",
        "reason",
        "started_at",
        "finished_at",
        "duration",
        "counts",
        "actor",
        "note",
    ]
    readonly_fields = fields


# --- django-otp's admin, in the reader's language ------------------------------------------------------------
# django-otp writes its fieldset titles, search help and QR-code column in English; its model and field
# names are translated at startup (`portal/third_party_messages.py`).
_OTP_FIELDSET_TITLES = {
    "Identity": _("Device"),
    "Timestamps": _("Dates"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Failed attempts"),
}


class _OtpDeviceAdminMixin:
    search_help_text = _("Search by the user's email address")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [(_OTP_FIELDSET_TITLES.get(title, title), options) for title, options in fieldsets]


class TOTPDeviceAdmin(_OtpDeviceAdminMixin, OtpTOTPDeviceAdmin):
    @admin.display(description=_("QR code"))
    def qrcode_link(self, device: TOTPDevice) -> str:
        try:
            href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        except Exception:
            return ""
        return format_html('<a href="{}">{}</a>', href, _("Show QR code"))


class StaticDeviceAdmin(_OtpDeviceAdminMixin, OtpStaticDeviceAdmin):
    pass


for _model, _model_admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)
