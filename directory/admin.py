"""Admin of the directory: listings are read here and hidden or shown again by staff (with a reason).

A partner writes its own listing on its profile page; staff never edit it in admin, only take it out
of the public directory (`directory.services.profile_hide`) or put it back (`profile_unhide`).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from directory import services
from directory.forms import language_names
from directory.models import AuditEntry, PartnerProfile
from portal.access import has_perm
from portal.admin import AuditEntryAdmin
from portal.refusals import for_each_row

admin.site.register(AuditEntry, AuditEntryAdmin)


class PublicFilter(admin.SimpleListFilter):
    title = _("in the public directory")
    parameter_name = "public"

    def lookups(self, request, model_admin):
        return [("yes", _("Shown")), ("unlisted", _("Not listed by the partner")), ("hidden", _("Hidden by staff"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(listed=True, hidden_at__isnull=True)
        if self.value() == "unlisted":
            return queryset.filter(listed=False)
        if self.value() == "hidden":
            return queryset.filter(hidden_at__isnull=False)
        return queryset


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    list_display = ("partner", "slug", "listed", "hidden_at", "hidden_by", "updated_at", "public_link")
    list_filter = (PublicFilter, "partner__region", "partner__tier")
    search_fields = ("partner__name", "partner__partner_id", "slug")
    list_select_related = ("partner", "hidden_by")
    actions = ["hide", "unhide"]
    fields = (
        "partner",
        "slug",
        "public_link",
        "tagline",
        "description",
        "website",
        "services_display",
        "languages_display",
        "logo_content_type",
        "listed",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "updated_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).defer("logo")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_hide_permission(self, request) -> bool:
        return has_perm(request.user, services.HIDE_LISTINGS)

    @admin.display(description=_("services"))
    def services_display(self, obj: PartnerProfile) -> str:
        return gettext(", ").join(PartnerProfile._meta.get_field("services").labels(obj.services))

    @admin.display(description=_("languages"))
    def languages_display(self, obj: PartnerProfile) -> str:
        return gettext(", ").join(language_names(obj.languages))

    @admin.display(description=_("public page"))
    def public_link(self, obj: PartnerProfile) -> str:
        from django.urls import reverse

        return format_html('<a href="{}">{}</a>', reverse("directory:profile", args=[obj.slug]), _("Open"))

    @admin.action(description=_("Hide from the public directory (asks for the reason)"), permissions=["hide"])
    def hide(self, request, queryset):
        """Two steps: a page asks for the reason, then every selected listing is hidden with it."""
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST and reason:
            done = for_each_row(
                self, request, queryset, lambda p: services.profile_hide(profile=p, actor=request.user, reason=reason)
            )
            self._report(request, done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "queryset": queryset.select_related("partner"),
            "reason": reason,
            "error": _("Say why the listing is hidden.") if "apply" in request.POST else "",
        }
        return TemplateResponse(request, "admin/directory/hide_profiles.html", context)

    @admin.action(description=_("Show again in the public directory"), permissions=["hide"])
    def unhide(self, request, queryset):
        done = for_each_row(self, request, queryset, lambda p: services.profile_unhide(profile=p, actor=request.user))
        self._report(request, done)

    def _report(self, request, done: int) -> None:
        if done:
            message = ngettext("%(count)d listing changed.", "%(count)d listings changed.", done)
            self.message_user(request, message % {"count": done}, messages.SUCCESS)


from directory import review_admin  # noqa: F401,E402
