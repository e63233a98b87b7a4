from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import Partner, User

admin.site.site_header = _("Partner portal administration")
admin.site.site_title = _("Partner portal")
admin.site.index_title = _("Programme administration")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "partner", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "partner__name", "partner__partner_id"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "partner", "time_zone")}),
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


class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only list of a feature app's audit table (a subclass of `AuditEntryBase`)."""

    list_display = ("at", "subject", "object_id", "from_state", "to_state", "actor", "partner")
    list_filter = ("subject", "to_state")
    search_fields = ("subject", "reason", "partner__partner_id", "actor__email")
    list_select_related = ("actor", "partner")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
