"""Admin for every community model. The DEI&B self-identification never appears in a list column or search."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community import services
from community.models import (
    AuditEntry,
    BlackAtInboundMembership,
    DeibApplication,
    DeibCohort,
    DeibSelfIdentification,
    ExecutiveSponsor,
    HugEvent,
    HugGroup,
    HugInactivityFlag,
    HugLeaderApplication,
    HugMembership,
    PugApplication,
    PugGroup,
    PugReviewCycle,
    PugStatus,
)
from portal.access import REVIEW_APPLICATIONS
from portal.admin import AuditEntryAdmin, NoWritesMixin, ReviewedApplicationAdmin
from portal.refusals import for_each_row

admin.site.register(AuditEntry, AuditEntryAdmin)


@admin.register(PugReviewCycle)
class PugReviewCycleAdmin(admin.ModelAdmin):
    list_display = ("name", "opens_on", "closes_on", "cohort_starts_on", "cohort_ends_on")
    search_fields = ("name",)
    list_filter = ("opens_on",)


@admin.register(PugGroup)
class PugGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "region", "champion", "capacity", "meeting_cadence")
    list_filter = ("role", "region")
    search_fields = ("name", "champion")


def _decide(decision: str):
    def action(modeladmin, request, queryset):
        done = for_each_row(
            modeladmin,
            request,
            queryset,
            lambda application: services.pug_decide(application=application, decision=decision, actor=request.user),
        )
        modeladmin.message_user(
            request, ngettext("%(n)s application updated.", "%(n)s applications updated.", done) % {"n": done}
        )

    action.__name__ = f"mark_{decision}"
    return action


@admin.register(PugApplication)
class PugApplicationAdmin(ReviewedApplicationAdmin):
    review_permission = REVIEW_APPLICATIONS
    list_display = ("partner", "group", "cycle", "status", "created_at", "decided_by")
    list_filter = ("status", "cycle", "group__region", "group__role")
    search_fields = (*ReviewedApplicationAdmin.search_fields, "group__name")
    list_select_related = ("partner", "group", "cycle", "decided_by")
    actions = [
        admin.action(description=_("Accept (while seats remain)"), permissions=["review"])(_decide(PugStatus.ACCEPTED)),
        admin.action(description=_("Waitlist"), permissions=["review"])(_decide(PugStatus.WAITLISTED)),
    ]


class HugEventInline(admin.TabularInline):
    model = HugEvent
    extra = 0


@admin.register(HugGroup)
class HugGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "topic", "region", "language", "format", "leader_partner")
    list_filter = ("topic", "region", "language", "format")
    search_fields = ("name", "city")
    list_select_related = ("leader_partner",)
    raw_id_fields = ("leader_partner",)
    inlines = [HugEventInline]


@admin.register(HugMembership)
class HugMembershipAdmin(admin.ModelAdmin):
    list_display = ("group", "user", "joined_at")
    search_fields = ("group__name", "user__email")
    list_filter = ("group__topic",)
    list_select_related = ("group", "user")
    raw_id_fields = ("group", "user")


@admin.register(HugEvent)
class HugEventAdmin(admin.ModelAdmin):
    list_display = ("title", "group", "starts_at", "is_free")
    list_filter = ("is_free",)
    search_fields = ("title", "group__name")
    list_select_related = ("group",)
    raw_id_fields = ("group",)


@admin.register(HugLeaderApplication)
class HugLeaderApplicationAdmin(ReviewedApplicationAdmin):
    review_permission = REVIEW_APPLICATIONS
    list_display = ("partner", "group", "status", "created_at", "decided_by")
    list_filter = ("status", "group__region", "group__topic")
    search_fields = (*ReviewedApplicationAdmin.search_fields, "group__name")
    list_select_related = ("partner", "group", "decided_by")
    raw_id_fields = ("group", "partner", "applicant")

    @admin.action(description=_("Accept"), permissions=["review"])
    def accept(self, request, queryset):
        for_each_row(
            self,
            request,
            queryset,
            lambda application: services.hug_lead_decide(application=application, accept=True, actor=request.user),
        )

    actions = ["accept"]


@admin.register(HugInactivityFlag)
class HugInactivityFlagAdmin(NoWritesMixin, admin.ModelAdmin):
    """Listed here; reviewed on the staff page with the leader's events (`community:hug-flags`), never edited."""

    list_display = ("quarter", "group", "leader_partner", "resolved", "created_at")
    list_filter = ("resolved", "quarter")
    search_fields = ("group__name", "leader_partner__name", "leader_partner__partner_id")
    list_select_related = ("group", "leader_partner")


@admin.register(DeibCohort)
class DeibCohortAdmin(admin.ModelAdmin):
    list_display = ("name", "opens_on", "closes_on", "capacity")
    search_fields = ("name",)
    list_filter = ("opens_on",)


@admin.register(ExecutiveSponsor)
class ExecutiveSponsorAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "email")
    search_fields = ("name", "title", "email")
    list_filter = ("title",)


@admin.register(DeibApplication)
class DeibApplicationAdmin(ReviewedApplicationAdmin):
    # Status and sponsor only: the self-identification is on its own admin page, never a list column.
    review_permission = REVIEW_APPLICATIONS
    list_display = ("partner", "cohort", "status", "sponsor", "created_at")
    list_filter = ("status", "cohort")
    list_select_related = ("partner", "cohort", "sponsor")
    readonly_fields = ("status", "consent_at", "sponsor", "decided_by", "decided_at", "decision_reason")
    raw_id_fields = ("partner", "submitted_by")


@admin.register(DeibSelfIdentification)
class DeibSelfIdentificationAdmin(admin.ModelAdmin):
    """Programme staff may open one record; the list shows no sensitive column and is not searchable by it."""

    list_display = ("__str__", "application", "created_at")
    list_select_related = ("application", "application__partner")
    search_fields = ("application__partner__partner_id",)
    list_filter = ("created_at",)
    readonly_fields = ("application", "owners_identify_as_poc", "statement", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def get_actions(self, request):
        # No bulk export/delete action that would expose or bypass the withdrawal audit trail.
        return {}


@admin.register(BlackAtInboundMembership)
class BlackAtInboundMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "joined_at")
    search_fields = ("user__email", "user__full_name")
    list_filter = ("joined_at",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
