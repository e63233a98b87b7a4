from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.admin import ConfigHistoryAdmin, HistoryReadOnlyAdmin, HistoryReadOnlyInline
from portal.formats import domain_unicode, money
from registrations.models import (
    CommissionHold,
    Deal,
    DealEvent,
    DealNote,
    DomainRegistration,
    Product,
    RegistrationConfig,
    RegistrationEvent,
)
from registrations.selectors import partners_over_cap


@admin.register(RegistrationConfig)
class RegistrationConfigAdmin(ConfigHistoryAdmin):
    list_display = ["__str__", "caps_effective_from", "compliance_deadline", "validity_months", "extension_months"]

    def has_add_permission(self, request) -> bool:
        return not RegistrationConfig.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RegistrationEventInline(HistoryReadOnlyInline, admin.TabularInline):
    model = RegistrationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "job", "from_status", "to_status", "reason_label"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class OverCapFilter(admin.SimpleListFilter):
    """Registrations of partners holding more live registrations than their cap today (the overview links here)."""

    title = _("partner over its cap")
    parameter_name = "over_cap"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(partner__in=partners_over_cap(on=timezone.localdate()).values("pk"))


@admin.register(DomainRegistration)
class DomainRegistrationAdmin(admin.ModelAdmin):
    list_display = ["domain_display", "partner", "status", "submitted_at", "expires_on", "extension_count"]
    list_filter = ["status", OverCapFilter, "partner__region", "partner__tier"]
    search_fields = ["domain", "company_name", "partner__partner_id", "partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "submitted_at"
    # Status changes go through registrations.services (audit rows); the admin only reads them.
    # The country is stored as its code; staff read its name in their language.
    readonly_fields = [f.name if f.name != "country" else "country_name" for f in DomainRegistration._meta.fields]
    fields = [name for name in readonly_fields if name != "id"]
    inlines = [RegistrationEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Registrations end by release, rejection or expiry (with an event), never by deletion.
        return False

    @admin.display(description=_("country"))
    def country_name(self, obj: DomainRegistration) -> str:
        return countries.name(obj.country) if obj.country else "—"

    @admin.display(description=_("domain"), ordering="domain")
    def domain_display(self, obj: DomainRegistration) -> str:
        """`例え.jp (xn--r8jz45g.jp)`: people read Unicode; the stored ASCII form stays beside it."""
        shown = domain_unicode(obj.domain)
        return shown if shown == obj.domain else f"{shown} ({obj.domain})"


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(HistoryReadOnlyAdmin):
    list_display = ["registration", "at", "from_status", "to_status", "actor", "job", "reason_label"]
    list_filter = ["to_status", "job"]
    search_fields = ["registration__domain", "actor__email", "reason"]
    list_select_related = ["registration", "actor"]
    readonly_fields = ["registration", "at", "actor", "job", "from_status", "to_status", "reason_label"]
    fields = readonly_fields


@admin.register(CommissionHold)
class CommissionHoldAdmin(admin.ModelAdmin):
    list_display = ["partner", "started_on", "ended_on", "live_at_start", "cap_at_start"]
    list_filter = ["ended_on"]
    search_fields = ["partner__partner_id", "partner__name"]
    list_select_related = ["partner"]
    readonly_fields = ["partner", "started_on", "ended_on", "live_at_start", "cap_at_start"]


class DealNoteInline(HistoryReadOnlyInline, admin.TabularInline):
    model = DealNote
    extra = 0
    readonly_fields = ["author", "body", "created_at"]


class DealAdminForm(forms.ModelForm):
    # The JSON list of product codes, shown to staff as the products' names.
    products = forms.MultipleChoiceField(
        label=Deal._meta.get_field("products").verbose_name,
        choices=Product.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Deal
        fields = ["products"]  # the admin adds its own fields to these


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    form = DealAdminForm
    list_display = ["company_name", "partner", "status", "stage", "mrr_display", "expected_close_on"]
    list_filter = ["status", "stage", "currency", "partner__region"]
    search_fields = ["company_name", "domain", "partner__partner_id", "partner__name", "sales_rep_email"]
    list_select_related = ["partner"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "decided_at", "decided_by", "decision_reason"]

    @admin.display(description=_("expected MRR"), ordering="expected_mrr")
    def mrr_display(self, obj: Deal) -> str:
        return money(obj.expected_mrr, obj.currency)

    inlines = [DealNoteInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DealEvent)
class DealEventAdmin(HistoryReadOnlyAdmin):
    list_display = ["deal", "at", "from_status", "to_status", "actor", "reason_label"]
    # History is written by the services only; the reason is shown translated when the service wrote it.
    readonly_fields = ["deal", "at", "actor", "from_status", "to_status", "reason_label"]
    fields = readonly_fields

    list_filter = ["to_status"]
    search_fields = ["deal__company_name", "actor__email"]
    list_select_related = ["deal", "actor"]


@admin.register(DealNote)
class DealNoteAdmin(HistoryReadOnlyAdmin):
    list_display = ["deal", "author", "created_at"]
    search_fields = ["deal__company_name", "author__email", "body"]
    list_select_related = ["deal", "author"]
