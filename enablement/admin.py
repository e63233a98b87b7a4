"""Admin for every enablement model; staff decide accreditation applications and publish awards here too."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enablement import services
from enablement.models import (
    Accreditation,
    AccreditationApplication,
    AccreditationEligibility,
    AccreditationMark,
    ApplicationWindow,
    AuditEntry,
    Certification,
    ImpactAward,
    PartnerAccreditation,
)
from portal.access import NOMINATE_AWARDS, REVIEW_ACCREDITATIONS, has_perm
from portal.admin import AuditEntryAdmin, ReviewedApplicationAdmin
from portal.refusals import for_each_row

admin.site.register(AuditEntry, AuditEntryAdmin)


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("holder_name", "name", "partner", "issued_on", "expires_on")
    list_filter = ("name", "expires_on")
    search_fields = ("holder_name", "holder_email", "name", "partner__partner_id", "partner__name")
    list_select_related = ("partner",)
    raw_id_fields = ("partner",)


class EligibilityInline(admin.TabularInline):
    model = AccreditationEligibility
    extra = 0


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "marks_limit", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")
    inlines = [EligibilityInline]


@admin.register(AccreditationEligibility)
class AccreditationEligibilityAdmin(admin.ModelAdmin):
    list_display = ("accreditation", "tier", "available_from")
    list_filter = ("tier", "accreditation")
    search_fields = ("accreditation__name",)
    list_select_related = ("accreditation",)


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(admin.ModelAdmin):
    list_display = ("name", "opens_on", "closes_on")
    search_fields = ("name",)
    list_filter = ("opens_on",)


@admin.register(AccreditationApplication)
class AccreditationApplicationAdmin(ReviewedApplicationAdmin):
    review_permission = REVIEW_ACCREDITATIONS
    list_display = ("partner", "accreditation", "window", "status", "created_at", "decided_by")
    list_filter = ("status", "accreditation", "window")
    list_select_related = ("partner", "accreditation", "window", "decided_by")
    raw_id_fields = ("partner", "submitted_by")
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve and grant the accreditation"), permissions=["review"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject (asks for the reason)"), permissions=["review"])
    def reject(self, request, queryset):
        """Two steps: a page asks for the reason, then every selected application is rejected with it."""
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST and reason:
            self._decide(request, queryset, approve=False, reason=reason)
            return None
        error = _("Give a reason: the partner reads it.") if "apply" in request.POST else ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "queryset": queryset.select_related("partner", "accreditation", "window"),
            "reason": reason,
            "error": error,
        }
        return TemplateResponse(request, "admin/enablement/reject_applications.html", context)

    def _decide(self, request, queryset, *, approve: bool, reason: str = "") -> None:
        today = timezone.localdate()
        done = for_each_row(
            self,
            request,
            queryset.select_related("partner", "accreditation"),
            lambda application: services.accreditation_decide(
                application=application, approve=approve, actor=request.user, reason=reason, today=today
            ),
        )
        if done:
            message = ngettext("%(count)d application decided.", "%(count)d applications decided.", done)
            self.message_user(request, message % {"count": done}, messages.SUCCESS)


class MarkInline(admin.TabularInline):
    model = AccreditationMark
    extra = 0
    readonly_fields = ("note", "recorded_by", "recorded_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Marks go through `accreditation_mark_record` so the review-board rule always runs.
        return False


@admin.register(PartnerAccreditation)
class PartnerAccreditationAdmin(admin.ModelAdmin):
    list_display = ("partner", "accreditation", "status", "granted_on", "next_review_on")
    list_filter = ("status", "accreditation")
    search_fields = ("partner__name", "partner__partner_id")
    list_select_related = ("partner", "accreditation")
    raw_id_fields = ("partner",)
    readonly_fields = ("status",)
    inlines = [MarkInline]
    actions = ["reevaluate"]

    def has_review_permission(self, request) -> bool:
        return has_perm(request.user, REVIEW_ACCREDITATIONS)

    @admin.action(description=_("Re-evaluate now (if due)"), permissions=["review"])
    def reevaluate(self, request, queryset):
        for holding in queryset:
            services.accreditation_reevaluate(holding=holding, today=timezone.localdate(), actor=request.user)


@admin.register(AccreditationMark)
class AccreditationMarkAdmin(admin.ModelAdmin):
    list_display = ("holding", "recorded_at", "recorded_by")
    search_fields = ("holding__partner__partner_id", "note")
    list_filter = ("recorded_at",)
    list_select_related = ("holding", "holding__partner", "recorded_by")
    fields = ("holding", "note")
    raw_id_fields = ("holding",)

    def has_add_permission(self, request) -> bool:
        return has_perm(request.user, REVIEW_ACCREDITATIONS)

    def has_change_permission(self, request, obj=None) -> bool:
        # A mark on record is history: recorded once, never edited or removed.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # New marks go through the service: audit row and the "more than N → review board" rule.
        saved = services.accreditation_mark_record(holding=obj.holding, note=obj.note, actor=request.user)
        obj.pk = saved.pk


@admin.register(ImpactAward)
class ImpactAwardAdmin(admin.ModelAdmin):
    list_display = ("year", "region", "category", "partner", "status", "published_at")
    list_filter = ("year", "region", "category", "status")
    search_fields = ("partner__name", "partner__partner_id")
    list_select_related = ("partner",)
    readonly_fields = ("status", "published_at")
    raw_id_fields = ("partner",)
    actions = ["publish"]

    def has_award_permission(self, request) -> bool:
        return has_perm(request.user, NOMINATE_AWARDS)

    @admin.action(description=_("Publish"), permissions=["award"])
    def publish(self, request, queryset):
        for_each_row(
            self,
            request,
            queryset.select_related("partner"),
            lambda award: services.award_publish(award=award, actor=request.user),
        )
