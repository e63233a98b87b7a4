"""Tier pages: the partner's "My tier", the CAM's book, the staff what-if.

Every partner a request touches comes from `portal.selectors` (own org, book,
or staff), so another partner's dashboard, partials and exports answer 404.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from operator import attrgetter
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal import exports
from portal.access import PUBLISH_RULESET, RUN_WHATIF, partner_for, require_perm
from portal.exports import Column
from portal.htmx import page_or_partial, wants_partial
from portal.models import Partner, Tier, User
from portal.months import add_months, month_start
from portal.panels import partner_panels
from portal.selectors import partners_visible_to
from tiers import book as cam_book
from tiers import breakdown, charts, engine
from tiers import progress as tier_progress
from tiers.engine import MissingCoefficient
from tiers.forms import SORT_LABELS, BookForm, BreakdownForm, ChangesForm, GapForm, PublishForm, WhatIfForm
from tiers.models import Framework, Metric
from tiers.services import TierError, rule_set_publish
from tiers.whatif import programme_targets, what_if

BREAKDOWN_PAGE_SIZE = 25
BOOK_PAGE_SIZE = 50
PARTIALS = {"breakdown", "gap", "changes"}


# --- scoping -----------------------------------------------------------------


def _urls(partner: Partner, partner_id: str | None) -> dict[str, str]:
    """The URLs of one dashboard's partials and export, own or read-only."""
    names = ("dashboard", "breakdown", "breakdown-csv", "breakdown-xlsx", "gap", "changes")
    prefix, kwargs = ("", {}) if partner_id is None else ("partner-", {"partner_id": partner.partner_id})
    urls = {name.replace("-", "_"): reverse(f"tiers:{prefix}{name}", kwargs=kwargs) for name in names}
    for fmt in exports.FORMATS:
        urls[f"tier_history_{fmt}"] = reverse(f"tiers:{prefix}tier-history-export", kwargs=kwargs | {"fmt": fmt})
    return urls


def _query(params: dict[str, str]) -> QueryDict:
    """The page's own parameters, for `{% querystring %}` links (only the filters that are set)."""
    query = QueryDict(mutable=True)
    query.update(params)
    return query


# --- the dashboard -------------------------------------------------------------


class _Base:
    """What every part of the dashboard needs: history, rule sets, requirements (3 queries)."""

    def __init__(self, partner: Partner) -> None:
        self.partner = partner
        self.today = timezone.localdate()
        self.history = tier_progress.snapshot_history(partner=partner)
        self.months = [s.month for s in self.history]
        self.by_month = {s.month: s for s in self.history}
        self.rule_set_now = engine.rule_set_in_force(month_start(self.today))
        ids = {s.rule_set_id for s in self.history} | ({self.rule_set_now.pk} if self.rule_set_now else set())
        self.requirements = tier_progress.requirements_by_rule_set(ids)
        self.latest = self.history[-1] if self.history else None
        self.customer_rows = breakdown.CustomerRows(partner)  # shared by the breakdown and the point changes

    @property
    def requirements_now(self) -> engine.Requirements:
        return self.requirements.get(self.rule_set_now.pk, {}) if self.rule_set_now else {}

    @functools.cached_property
    def preview(self) -> tier_progress.ReassessmentPreview:
        return tier_progress.reassessment_preview(partner=self.partner, today=self.today)

    @functools.cached_property
    def em(self) -> bool:
        """Whether the partner's HQ is an emerging market: only legacy rules credit it (engine.legacy_credit)."""
        return (
            self.rule_set_now is not None
            and self.rule_set_now.framework == Framework.LEGACY
            and tier_progress.partner_is_emerging(self.partner)
        )

    @functools.cached_property
    def phase2(self) -> dict[str, Decimal | None] | None:
        """The latest month's Phase 2 values under the rules in force, if its snapshot lacks them (else None)."""
        return tier_progress.phase2_now(
            partner=self.partner, snapshot=self.latest, rule_set=self.rule_set_now, requirements=self.requirements_now
        )

    def gap(self, tier: str) -> tier_progress.TierGap:
        return tier_progress.tier_gap(
            tier=tier,
            snapshot=self.latest,
            rule_set=self.rule_set_now,
            requirements=self.requirements_now,
            em=self.em,
            phase2=self.phase2,
        )

    @property
    def at_risk(self) -> bool:
        return self.preview.direction == "down"


@login_required
@require_GET
def dashboard(request: HttpRequest, partner_id: str | None = None, part: str | None = None) -> HttpResponse:
    if partner_id is None and not request.user.is_partner_user:
        if request.user.is_cam or request.user.is_cc:
            return redirect("tiers:book")
        raise Http404
    partner = partner_for(request.user, partner_id)
    if partner.is_provider:
        if part:
            raise Http404
        return render(request, "tiers/provider.html", {"partner": partner})
    base = _Base(partner)
    context = {"partner": partner, "urls": _urls(partner, partner_id), "read_only": partner_id is not None}
    if part and wants_partial(request):
        context |= _PARTS[part](request, base)
        return render(request, f"tiers/dashboard.html#{part}", context)
    for builder in _PARTS.values():
        context |= builder(request, base)
    context |= _overview(base)
    # Beside the tier: what other apps know of the partner (registrations' cap, holds, compliance).
    context["panels"] = partner_panels(partner=partner, user=request.user, today=base.today)
    return render(request, "tiers/dashboard.html", context)


def _overview(base: _Base) -> dict:
    partner = base.partner
    above = tier_progress.next_tier(partner.tier)
    progress = base.gap(above) if above else None
    chart = charts.points_chart(base.history, base.requirements)
    current = base.gap(partner.tier)
    keep = tier_progress.keep_tier_plan(preview=base.preview, gap=current) if base.at_risk else None
    return {
        # Customer success and knowledge: only when the rules in force require them (Phase 2).
        "phase2_rows": tier_progress.phase2_rows(tier=partner.tier, current=current, next_gap=progress),
        "unmeasured": [Metric(metric).label for metric in engine.phase2_metrics_unmeasured(base.requirements_now)],
        "today": base.today,
        "history": base.history,
        "latest": base.latest,
        "rule_set_now": base.rule_set_now,
        "progress": progress,
        "preview": base.preview,
        "keep": keep,
        "growth": tier_progress.yoy_growth(base.history),
        "yoy_target": tier_progress.YOY_TARGET,
        "chart": chart,
        "reach": charts.projected_reach(chart=chart, gap=progress),
        "changes_history": tier_progress.tier_changes(partner=partner),
    }


def _gap(request: HttpRequest, base: _Base) -> dict:
    form = GapForm(request.GET)
    form.is_valid()
    if base.at_risk:
        # A partner about to fall first needs what it takes to keep its tier.
        default = base.partner.tier
    else:
        # The progress card already shows the next tier: by default look one step further.
        above = tier_progress.next_tier(base.partner.tier)
        default = (tier_progress.next_tier(above) if above else None) or above or Tier.ELITE
    tier = form.cleaned_data.get("tier") or default
    return {"gap_form": GapForm(initial={"tier": tier}), "gap": base.gap(tier)}


def _selected_month(value: str | None, months: list[dt.date], default: dt.date | None) -> dt.date | None:
    try:
        month = dt.date.fromisoformat(value or "")
    except ValueError:
        return default
    return month if month in months else default


def _breakdown_query(request: HttpRequest, base: _Base):
    """(form, month, rows queryset, filters, row count or None) for the breakdown and its CSV export."""
    month = _selected_month(request.GET.get("month"), base.months, base.latest.month if base.latest else None)
    if month is None:
        return None, None, None, None, None
    rows = base.customer_rows.month(month=month, rule_set=base.by_month[month].rule_set)
    groups = breakdown.month_groups(rows)  # the selects' choices and the pager's count, one query
    form = BreakdownForm(request.GET, months=base.months, countries=groups.countries, currencies=groups.currencies)
    form.is_valid()
    data = form.cleaned_data
    filters = breakdown.BreakdownFilters(
        q=data.get("q") or "",
        country=data.get("country") or "",
        currency=data.get("currency") or "",
        em=data.get("em") or "",
        sort=data.get("sort") or "-points",
    )
    return form, month, breakdown.filter_customer_rows(rows, filters), filters, groups.count(filters)


def _breakdown(request: HttpRequest, base: _Base) -> dict:
    form, month, rows, filters, count = _breakdown_query(request, base)
    if month is None:
        return {"breakdown": None}
    params = {"month": month.isoformat(), "q": filters.q, "country": filters.country, "currency": filters.currency}
    params |= {"em": filters.em, "sort": filters.sort}
    params = _query({k: v for k, v in params.items() if v})
    paginator = Paginator(rows, BREAKDOWN_PAGE_SIZE)
    if count is not None:
        paginator.count = count  # counted with the filter choices: no COUNT(*) of the rows again
    page = paginator.get_page(request.GET.get("page"))
    columns = {}
    for key, label in SORT_LABELS.items():
        current = filters.sort.lstrip("-") == key
        descending = filters.sort.startswith("-")
        target = key if current and descending else f"-{key}"
        aria = ("descending" if descending else "ascending") if current else None
        columns[key] = {"key": key, "label": label, "target": target, "aria": aria}
    return {
        "breakdown": {
            "form": form,
            "month": month,
            "rule_set": base.by_month[month].rule_set,
            "page": page,
            "columns": columns,
            "params": params,  # links: {% querystring b.params sort=… %}
        }
    }


def _changes(request: HttpRequest, base: _Base) -> dict:
    if len(base.months) < 2:
        return {"point_changes": None}
    after = _selected_month(request.GET.get("after"), base.months, base.months[-1])
    before = _selected_month(request.GET.get("before"), base.months, add_months(after, -1))
    if before not in base.by_month:
        before = base.months[-2]
    changes = breakdown.point_changes(
        partner=base.partner,
        before=(before, base.by_month[before].rule_set),
        after=(after, base.by_month[after].rule_set),
        customers=base.customer_rows,
    )
    form = ChangesForm(None, months=base.months)
    form.initial = {"before": before.isoformat(), "after": after.isoformat()}
    return {"point_changes": changes, "changes_form": form}


_PARTS = {"breakdown": _breakdown, "gap": _gap, "changes": _changes}


CENT = Decimal("0.01")
# The CSV's columns and cell text are a contract (partners load it in their own tools): keep them.
BREAKDOWN_COLUMNS = (
    Column(gettext_lazy("Domain"), attrgetter("customer_domain")),
    Column(gettext_lazy("Country"), lambda row: str(row.customer_country)),
    Column(gettext_lazy("Emerging market"), lambda row: bool(row.is_emerging)),
    Column(gettext_lazy("Currency"), attrgetter("currency")),
    Column(gettext_lazy("Sold MRR"), attrgetter("sold_mrr"), exports.MONEY),
    Column(gettext_lazy("Managed MRR"), attrgetter("managed_mrr"), exports.MONEY),
    Column(gettext_lazy("Sales coefficient"), lambda row: row.sales_coefficient.normalize(), exports.NUMBER),
    Column(gettext_lazy("Managed coefficient"), lambda row: row.managed_coefficient.normalize(), exports.NUMBER),
    Column(gettext_lazy("Multiplier"), lambda row: row.multiplier.normalize(), exports.NUMBER),
    Column(gettext_lazy("Sales points"), lambda row: Decimal(row.sales_points).quantize(CENT), exports.NUMBER),
    Column(gettext_lazy("Managed points"), lambda row: Decimal(row.managed_points).quantize(CENT), exports.NUMBER),
    Column(gettext_lazy("Points"), lambda row: Decimal(row.total_points).quantize(CENT), exports.NUMBER),
)


@login_required
@require_GET
def breakdown_csv(request: HttpRequest, partner_id: str | None = None, fmt: str = exports.CSV) -> HttpResponse:
    """The breakdown table as CSV (or Excel): same month, filters and sort as on screen, every page."""
    partner = partner_for(request.user, partner_id)
    if partner.is_provider:
        raise Http404
    base = _Base(partner)
    _form, month, rows, _filters, _count = _breakdown_query(request, base)
    if month is None:
        raise Http404
    return exports.export(
        rows=rows.iterator(chunk_size=500),
        columns=BREAKDOWN_COLUMNS,
        format=fmt,
        filename=f"{partner.partner_id}-customers-{month:%Y-%m}",
    )


TIER_HISTORY_COLUMNS = (
    Column(gettext_lazy("Effective"), attrgetter("effective_on"), exports.DATE),
    Column(gettext_lazy("From"), lambda change: change.get_from_tier_display()),
    Column(gettext_lazy("To"), lambda change: change.get_to_tier_display()),
    Column(gettext_lazy("Reason"), lambda change: change.get_reason_display()),
    Column(gettext_lazy("Note"), attrgetter("note")),
)
TIER_HISTORY_EXPORT_LIMIT = 10_000


@login_required
@require_GET
def tier_history_export(request: HttpRequest, fmt: str, partner_id: str | None = None) -> HttpResponse:
    """The partner's tier changes, newest first (the dashboard shows the latest; this is all of them)."""
    partner = partner_for(request.user, partner_id)
    changes = tier_progress.tier_changes(partner=partner, limit=TIER_HISTORY_EXPORT_LIMIT)
    name = exports.dated(f"{partner.partner_id}-tier-history")
    return exports.export(rows=changes, columns=TIER_HISTORY_COLUMNS, format=fmt, filename=name)


# --- the CAM's book -------------------------------------------------------------


def _book_user(request: HttpRequest) -> User:
    user: User = request.user
    if not (user.is_cam or user.is_cc):
        raise Http404
    return user


def _book_query(request: HttpRequest, user: User):
    """(form, filters, sort, rows, month) of the book as filtered on screen: the page and its exports."""
    form = BookForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    filters = {"q": data.get("q") or "", "tier": data.get("tier") or "", "flag": data.get("flag") or ""}
    sort = data.get("sort") or "name"
    today = timezone.localdate()
    month = cam_book.latest_closed_month(today)
    rows = cam_book.filter_book(
        cam_book.book_rows(partners=partners_visible_to(user), today=today, month=month), sort=sort, **filters
    )
    return form, filters, sort, rows, month


BOOK_COLUMNS = (
    Column(gettext_lazy("Partner ID"), attrgetter("partner_id")),
    Column(gettext_lazy("Partner"), attrgetter("name")),
    Column(gettext_lazy("Country"), lambda p: p.country.name),
    Column(gettext_lazy("Tier"), lambda p: _("Provider") if p.is_provider else p.get_tier_display()),
    Column(gettext_lazy("Last month's points"), attrgetter("last_points"), exports.NUMBER),
    Column(gettext_lazy("Next tier's points target"), attrgetter("next_target"), exports.NUMBER),
    Column(gettext_lazy("Trend"), attrgetter("trend"), exports.NUMBER),
    Column(gettext_lazy("At risk"), attrgetter("at_risk")),
    Column(gettext_lazy("Near promotion"), attrgetter("near_promotion")),
)


@login_required
@require_GET
def book_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The book as CSV or Excel: the same partners, filters and order as on screen, every page."""
    _form, _filters, _sort, rows, _month = _book_query(request, _book_user(request))
    return exports.export(
        rows=rows.iterator(chunk_size=500), columns=BOOK_COLUMNS, format=fmt, filename=exports.dated("cam-book")
    )


@login_required
@require_GET
def book(request: HttpRequest) -> HttpResponse:
    user = _book_user(request)
    form, filters, sort, rows, month = _book_query(request, user)
    page = Paginator(rows, BOOK_PAGE_SIZE).get_page(request.GET.get("page"))
    sparklines = cam_book.book_sparklines(partner_ids=[p.pk for p in page], month=month)
    for partner in page:
        partner.sparkline = sparklines.get(partner.pk, "")
    params = _query({k: v for k, v in (filters | {"sort": sort}).items() if v})
    columns = {}
    for key in ("name", "tier", "points", "trend"):
        current = sort.lstrip("-") == key
        target = key if current and sort.startswith("-") else f"-{key}" if current or key != "name" else key
        aria = ("descending" if sort.startswith("-") else "ascending") if current else None
        columns[key] = {"target": target, "aria": aria}
    context = {"form": form, "page": page, "columns": columns, "params": params, "month": month}
    return render(request, page_or_partial(request, "tiers/book.html", "book-table"), context)


# --- staff what-if ---------------------------------------------------------------


def whatif_months(today: dt.date) -> list[dt.date]:
    """The last 24 closed months (generated: asking the MRR table for its months is a full scan)."""
    last = add_months(month_start(today), -1)
    return [add_months(last, -i) for i in range(24)]


WHATIF_COLUMNS = (
    Column(gettext_lazy("Tier"), attrgetter("label")),
    Column(gettext_lazy("Draft"), attrgetter("draft"), exports.NUMBER),
    Column(gettext_lazy("In force"), attrgetter("current"), exports.NUMBER),
    Column(gettext_lazy("Draft: top share of tiered (%)"), attrgetter("draft_percent"), exports.NUMBER),
    Column(gettext_lazy("In force: top share (%)"), attrgetter("current_percent"), exports.NUMBER),
    Column(gettext_lazy("Target (%)"), attrgetter("target"), exports.NUMBER),
    Column(gettext_lazy("Within target"), attrgetter("on_target")),
)


@login_required
@require_GET
def whatif_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The what-if's distribution per tier (the same draft and month as on screen), as CSV or Excel."""
    require_perm(request, RUN_WHATIF)
    form, result = _whatif_result(request)
    if result is None:
        raise Http404
    name = exports.dated(f"what-if-{result.month:%Y-%m}")
    return exports.export(rows=result.shares, columns=WHATIF_COLUMNS, format=fmt, filename=name)


def _whatif_result(request: HttpRequest):
    """(form, result or None): the what-if asked for in the query string, for the page and its exports."""
    months = whatif_months(timezone.localdate())
    form = WhatIfForm(request.GET or None, months=months)
    result = None
    if form.is_valid():
        try:
            result = what_if(rule_set=form.cleaned_data["rule_set"], month=form.cleaned_data["month"])
        except MissingCoefficient as exc:
            form.add_error(
                "rule_set",
                _("This rule set has no coefficient for: %(currencies)s.") % {"currencies": ", ".join(exc.currencies)},
            )
    return form, result


@login_required
@require_GET
def whatif(request: HttpRequest) -> HttpResponse:
    require_perm(request, RUN_WHATIF)
    form, result = _whatif_result(request)
    return render(
        request,
        "tiers/whatif.html",
        {"form": form, "result": result, "targets": programme_targets()},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def whatif_publish(request: HttpRequest) -> HttpResponse:
    require_perm(request, PUBLISH_RULESET)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That rule set cannot be published (it is not a draft)."))
        return redirect("tiers:whatif")
    rule_set = form.cleaned_data["rule_set"]
    try:
        rule_set_publish(rule_set=rule_set, acting_user=request.user)
    except TierError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('tiers:whatif')}?{urlencode({'rule_set': rule_set.pk})}")
    messages.success(request, _("%(name)s is published.") % {"name": rule_set.name})
    return redirect("tiers:whatif")
