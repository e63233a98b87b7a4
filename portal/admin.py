from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

from portal.models import Partner, User

admin.site.site_header = _("Partner portal administration")
admin.site.site_title = _("Partner portal")
admin.site.index_title = _("Programme administration")


# Django stores permission names in English ("Can add partner"); staff read them in their language.
PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission as `app | model | action`, translated for Django's four default actions."""
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = permission.name
    return f"{permission.content_type} | {name}"


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
    pass


@admin.register(User)
class UserAdmin(TranslatedPermissionsMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "partner", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "partner__name", "partner__partner_id"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "partner")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "partner", "password1", "password2")}),)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["partner_id", "name", "kind", "tier", "tier_since", "country", "region", "cam", "joined_on"]
    list_filter = ["kind", "tier", "region"]
    search_fields = ["partner_id", "name", "cam__email", "cc__email"]
    list_select_related = ["cam", "cc"]
    autocomplete_fields = ["cam", "cc"]
    date_hierarchy = "joined_on"
    # The tier changes only through the tier engine's services (history kept there).
    readonly_fields = ["tier", "tier_since", "created_at"]


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


class AuditEntryAdmin(admin.ModelAdmin):
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
