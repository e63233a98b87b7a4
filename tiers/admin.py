"""Programme staff's admin for the tier engine: rule sets, emerging markets, and read-only history."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.access import PUBLISH_RULESET, RUN_WHATIF, SET_TIER_MANUALLY, has_perm
from portal.admin import ConfigHistoryAdmin, HistoryReadOnlyAdmin
from portal.models import Partner, PartnerKind, Tier
from portal.months import last_closed_month
from tiers import rule_set_editor, services
from tiers.models import (
    CurrencyCoefficient,
    CustomerMRR,
    EmergingMarket,
    Metric,
    MonthCompleteness,
    MonthlySnapshot,
    ProgrammeTargets,
    RuleSet,
    RuleSetStatus,
    TierChange,
    TierRequirement,
    Upload,
)
from tiers.publishing import publish_preview
from tiers.selectors import rule_set_has_judged


@admin.register(EmergingMarket)
class EmergingMarketAdmin(ConfigHistoryAdmin):
    list_display = ["country", "group", "active"]
    list_editable = ["group", "active"]
    list_filter = ["group", "active"]
    search_fields = ["country", "group"]


class _FrozenInlineMixin:
    """Inline rows of a rule set that judged a month can be neither added, changed nor deleted."""

    def _frozen(self, obj: RuleSet | None) -> bool:
        return obj is not None and rule_set_has_judged(obj)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class CurrencyCoefficientInline(_FrozenInlineMixin, admin.TabularInline):
    """Coefficients as the programme states them: "AUD 105 = US$100", 3 sales and 1 managed point per US$100.

    The per-unit coefficients the engine uses are derived (`rule_set_editor`) and shown beside them.
    """

    model = CurrencyCoefficient
    form = rule_set_editor.CurrencyCoefficientForm
    formset = rule_set_editor.CurrencyCoefficientFormSet
    extra = 0
    readonly_fields = ["as_stated", "engine_coefficients"]

    def get_fields(self, request, obj=None):
        if self._frozen(obj) or not super().has_change_permission(request, obj):
            return ["currency", "as_stated", "engine_coefficients"]
        return ["currency", "equal_to_usd100", "sales_per_usd100", "managed_per_usd100", "engine_coefficients"]

    def _usd(self, coefficient: CurrencyCoefficient) -> tuple[Decimal, Decimal] | None:
        """The rule set's USD row, read once per rule set and request (inline instances are per request)."""
        cache = self.__dict__.setdefault("_usd_by_rule_set", {})
        if coefficient.rule_set_id not in cache:
            cache[coefficient.rule_set_id] = (
                CurrencyCoefficient.objects.filter(rule_set_id=coefficient.rule_set_id, currency=rule_set_editor.USD)
                .values_list("sales", "managed")
                .first()
            )
        return cache[coefficient.rule_set_id]

    @admin.display(description=_("as the programme states it"))
    def as_stated(self, obj: CurrencyCoefficient) -> str:
        if obj.pk is None:
            return "—"
        row = rule_set_editor.stated(coefficient=obj, usd=self._usd(obj))
        return gettext("%(sentence)s: %(sales)s sales and %(managed)s managed points per US$100") % {
            "sentence": row.sentence,
            "sales": f"{row.sales_per_usd100:f}",
            "managed": f"{row.managed_per_usd100:f}",
        }

    @admin.display(description=_("coefficients the engine uses (per unit: sales / managed)"))
    def engine_coefficients(self, obj: CurrencyCoefficient) -> str:
        if obj.pk is None:
            return "—"
        return f"{obj.sales:f} / {obj.managed:f}"


def _in_order(field: str, values: list[str]) -> Case:
    return Case(*[When(**{field: v}, then=Value(i)) for i, v in enumerate(values)], output_field=IntegerField())


class TierRequirementInline(_FrozenInlineMixin, admin.TabularInline):
    """Requirements in tier order (Gold, Platinum, Diamond, Elite), each tier's metrics in the seed's order."""

    model = TierRequirement
    form = rule_set_editor.TierRequirementForm
    formset = rule_set_editor.TierRequirementFormSet
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                tier_order=_in_order("tier", list(rule_set_editor.TIER_ORDER)),
                metric_order=_in_order("metric", list(Metric.values)),
            )
            .order_by("tier_order", "metric_order")
        )


@admin.register(RuleSet)
class RuleSetAdmin(ConfigHistoryAdmin):
    list_display = ["name", "framework", "effective_from", "status", "emerging_market_multiplier", "published_at"]
    list_filter = ["framework", "status"]
    search_fields = ["name"]
    date_hierarchy = "effective_from"
    inlines = [CurrencyCoefficientInline, TierRequirementInline]
    actions = ["publish"]
    readonly_fields = ["status", "published_at", "published_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and rule_set_has_judged(obj):
            # Immutable once it judged a month (the services enforce the same).
            return [field.name for field in RuleSet._meta.concrete_fields if field.name != "id"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and rule_set_has_judged(obj):
            return False
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def has_publish_permission(self, request) -> bool:
        return has_perm(request.user, PUBLISH_RULESET)

    def get_urls(self):
        publish = self.admin_site.admin_view(self.publish_view)
        return [path("<int:object_id>/publish/", publish, name="tiers_ruleset_publish"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rule_set = self.get_object(request, object_id)
        draft = rule_set is not None and rule_set.status == RuleSetStatus.DRAFT
        extra = {
            "whatif_url": reverse("tiers:whatif") if draft and has_perm(request.user, RUN_WHATIF) else "",
            "last_closed_month": last_closed_month(timezone.localdate()).isoformat(),
            "publish_url": reverse("admin:tiers_ruleset_publish", args=[rule_set.pk])
            if draft and self.has_publish_permission(request)
            else "",
        }
        return super().change_view(request, object_id, form_url, extra_context={**extra, **(extra_context or {})})

    def publish_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Ask before publishing, naming what changes for partners (the what-if); publish on POST."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        rule_set = self.get_object(request, str(object_id))
        if rule_set is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(object_id))
        change_url = reverse("admin:tiers_ruleset_change", args=[rule_set.pk])
        if rule_set.status != RuleSetStatus.DRAFT:
            self.message_user(request, gettext("%(name)s is already published.") % {"name": rule_set.name})
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            try:
                services.rule_set_publish(rule_set=rule_set, acting_user=request.user)
            except services.TierError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request, gettext("%(name)s is published.") % {"name": rule_set.name}, messages.SUCCESS
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Publish %(name)s?") % {"name": rule_set.name},
            "rule_set": rule_set,
            "preview": publish_preview(rule_set=rule_set),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/tiers/ruleset/publish_confirmation.html", context)

    @admin.action(description=_("Publish selected rule sets"), permissions=["publish"])
    def publish(self, request, queryset):
        published = 0
        for rule_set in queryset:
            try:
                services.rule_set_publish(rule_set=rule_set, acting_user=request.user)
            except services.TierError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                published += 1
        if published:
            message = ngettext("%(count)d rule set published.", "%(count)d rule sets published.", published)
            self.message_user(request, message % {"count": published}, messages.SUCCESS)


@admin.register(ProgrammeTargets)
class ProgrammeTargetsAdmin(ConfigHistoryAdmin):
    """The programme's tier targets (SPEC §3.6): one row, edited here, read by the what-if."""

    list_display = ["__str__", "elite_percent", "diamond_percent", "platinum_percent"]

    def has_add_permission(self, request):
        return not ProgrammeTargets.objects.exists() and super().has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        ProgrammeTargets.get()  # the list always shows the one row (the defaults until first saved)
        return super().changelist_view(request, extra_context)


class _ReadOnlyAdmin(HistoryReadOnlyAdmin):
    """History written by the engine's services only: list and inspect, never edit."""


class ImportedMonthFilter(admin.SimpleListFilter):
    """The months MRR was imported for (one row each in MonthCompleteness), not a scan of the MRR rows."""

    title = _("month")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = MonthCompleteness.objects.order_by("-month").values_list("month", flat=True)
        return [(month.isoformat(), f"{month:%Y-%m}") for month in months]

    def queryset(self, request, queryset):
        return queryset.filter(month=self.value()) if self.value() else queryset


class CoefficientCurrencyFilter(admin.SimpleListFilter):
    """The currencies the rule sets have coefficients for (the import accepts no other), not a scan of the MRR rows."""

    title = _("currency")
    parameter_name = "currency"

    def lookups(self, request, model_admin):
        currencies = CurrencyCoefficient.objects.order_by("currency").values_list("currency", flat=True).distinct()
        return [(currency, currency) for currency in currencies]

    def queryset(self, request, queryset):
        return queryset.filter(currency=self.value()) if self.value() else queryset


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows (a `COUNT(*)` of millions of MRR rows costs more than the page itself);
    past that the list shows CAP rows' worth of pages: filter or search to narrow it."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.CAP].count()


@admin.register(CustomerMRR)
class CustomerMRRAdmin(_ReadOnlyAdmin):
    list_display = ["partner", "month", "customer_domain", "country", "currency", "sold_mrr", "managed_mrr"]
    list_filter = [ImportedMonthFilter, CoefficientCurrencyFilter]
    search_fields = ["partner__partner_id", "partner__name"]
    search_help_text = _("An exact partner ID or the beginning of a partner's name.")
    list_select_related = ["partner"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    # The newest month first, in an order the (month, partner) index gives and the unique key makes total.
    ordering = ["-month", "-partner_id", "-customer_domain"]

    @admin.display(description=_("customer HQ country"), ordering="customer_country")
    def country(self, obj: CustomerMRR) -> str:
        return obj.customer_country.name  # one lookup by code, in the reader's language: no choice list per row

    def get_search_results(self, request, queryset, search_term):
        """Indexed lookups only: partners by exact ID or name prefix, then their rows by the MRR key's index.

        Customer domains are not searched: no index leads with them (one would slow every import), and a
        scan of 2.5 million rows takes about a second.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        partners = Partner.objects.filter(Q(partner_id=term) | Q(name__istartswith=term)).values("pk")
        # The key leads with the month: name the months, so each (month, partner) is one index descent.
        return queryset.filter(month__in=_mrr_months(), partner__in=partners), False


def _mrr_months() -> list:
    """The months holding MRR, one index descent each (a loose scan of the key), not a scan of the rows."""
    table = connection.ops.quote_name(CustomerMRR._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE m (month) AS (SELECT min(month) FROM {table} UNION ALL "
            f"SELECT (SELECT min(month) FROM {table} WHERE month > m.month) FROM m WHERE m.month IS NOT NULL) "
            "SELECT month FROM m WHERE month IS NOT NULL"
        )
        return [row[0] for row in cursor.fetchall()]


@admin.register(MonthlySnapshot)
class MonthlySnapshotAdmin(_ReadOnlyAdmin):
    list_display = [
        "partner",
        "month",
        "rule_set",
        "sales_points",
        "managed_points",
        "points",
        "sold_mrr_usd",
        "managed_mrr_usd",
        "customer_count",
        "achieved_tier",
    ]
    list_filter = ["month", "achieved_tier", "rule_set"]
    search_fields = ["partner__partner_id", "partner__name"]
    list_select_related = ["partner", "rule_set"]
    show_full_result_count = False


class ManualTierChangeForm(forms.ModelForm):
    """Staff record a manual tier change; the engine's service applies it (and audits it)."""

    class Meta:
        model = TierChange
        fields = ["partner", "to_tier", "effective_on", "note"]
        labels = {"to_tier": _("New tier")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].initial = timezone.localdate
        self.fields["note"].required = True
        self.fields["note"].help_text = _("Why: partners and CAMs see the change in the tier history.")

    def clean(self):
        cleaned = super().clean()
        partner, tier = cleaned.get("partner"), cleaned.get("to_tier")
        if partner is not None and partner.kind == PartnerKind.PROVIDER:
            self.add_error("partner", _("Providers have no tier ladder."))
        elif partner is not None and partner.tier == tier:
            self.add_error("to_tier", _("The partner already has this tier."))
        return cleaned


class DirectionFilter(admin.SimpleListFilter):
    """Promotions or demotions, whatever their reason (the programme overview links here)."""

    title = _("direction")
    parameter_name = "direction"

    def lookups(self, request, model_admin):
        return [("up", _("Promotions")), ("down", _("Demotions"))]

    def queryset(self, request, queryset):
        if self.value() not in ("up", "down"):
            return queryset
        ranked = queryset.annotate(
            from_rank=_in_order("from_tier", Tier.values), to_rank=_in_order("to_tier", Tier.values)
        )
        return (
            ranked.filter(to_rank__gt=F("from_rank"))
            if self.value() == "up"
            else ranked.filter(to_rank__lt=F("from_rank"))
        )


@admin.register(TierChange)
class TierChangeAdmin(_ReadOnlyAdmin):
    """History is read-only; "Add" records a manual change through `tier_set_manually`."""

    list_display = ["partner", "effective_on", "from_tier", "to_tier", "reason", "run", "changed_by"]
    list_filter = [DirectionFilter, "reason", "to_tier"]
    search_fields = ["partner__partner_id", "partner__name", "note"]
    list_select_related = ["partner", "run", "changed_by"]
    date_hierarchy = "effective_on"
    autocomplete_fields = ["partner"]

    def has_add_permission(self, request):
        return has_perm(request.user, SET_TIER_MANUALLY)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ManualTierChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ManualTierChangeForm._meta.fields if obj is None else super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        recorded = services.tier_set_manually(
            partner=form.cleaned_data["partner"],
            tier=form.cleaned_data["to_tier"],
            acting_user=request.user,
            note=form.cleaned_data["note"],
            effective_on=form.cleaned_data["effective_on"],
        )
        obj.pk = recorded.pk  # the admin's "added" message links to the recorded change

    def save_related(self, request, form, formsets, change):
        """Nothing related to save: the service wrote the change."""


_IMPORT_COMMAND = re.compile(r"^import_mrr(?: \(os user (?P<user>.+)\))?$")


def completed_by_label(value: str) -> str:
    """Who marked a month complete: a person's email as stored, the import command and the migration named."""
    match = _IMPORT_COMMAND.match(value)
    if match and match["user"]:
        return gettext("the MRR import command (run by %(user)s)") % {"user": match["user"]}
    if match:
        return gettext("the MRR import command")
    if value == "migration":
        return gettext("a data migration")
    return value


@admin.register(MonthCompleteness)
class MonthCompletenessAdmin(admin.ModelAdmin):
    """Which months' MRR is complete; the scheduled evaluation of a month waits until it is.

    Staff mark months complete with the action (or Add a month); the services write the row.
    """

    list_display = ["month", "complete", "completed_at", "completed_by_label", "late_alert_sent_at"]
    list_filter = ["complete"]
    fields = ["month"]
    actions = ["mark_complete"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("marked complete by"), ordering="completed_by")
    def completed_by_label(self, obj: MonthCompleteness) -> str:
        return completed_by_label(obj.completed_by)

    def save_model(self, request, obj, form, change):
        recorded = services.mrr_months_mark_complete(months=[obj.month], by=request.user.email)
        obj.pk = recorded[0].pk

    @admin.action(description=_("Mark MRR complete for the selected months"))
    def mark_complete(self, request, queryset):
        marked = services.mrr_months_mark_complete(
            months=list(queryset.values_list("month", flat=True)), by=request.user.email
        )
        self.message_user(
            request,
            ngettext("%(count)d month marked complete.", "%(count)d months marked complete.", len(marked))
            % {"count": len(marked)},
            messages.SUCCESS,
        )


@admin.register(Upload)
class UploadAdmin(_ReadOnlyAdmin):
    """The record of files staff uploaded and the outcome of each import (read-only; upload on the staff page)."""

    list_display = ["uploaded_at", "original_name", "kind", "uploaded_by", "status", "rows_read", "rows_rejected"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "uploaded_by__email", "sha256"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "uploaded_at"
    exclude = ["content"]
    readonly_fields = ["page_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    @admin.display(description=_("import page"))
    def page_link(self, obj: Upload) -> str:
        return format_html('<a href="{}">{}</a>', reverse("tiers:upload", kwargs={"pk": obj.pk}), gettext("Open"))
