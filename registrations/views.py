"""Pages: the partner's capacity manager and deals, the CAM's approval queue (htmx partials of each page)."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_GET, require_POST

from portal import exports
from portal.access import partner_for, partner_own
from portal.exports import Column
from portal.formats import domain_unicode
from portal.htmx import wants_partial
from portal.models import Partner, User
from portal.refusals import refusal
from registrations import assistant, selectors, services
from registrations.forms import (
    AssistantTargetForm,
    CapacityFilterForm,
    DealForm,
    DomainRegisterForm,
    NoteForm,
    RejectForm,
)
from registrations.models import RegistrationConfig, RegistrationStatus

PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 50


def _require_cam(request: HttpRequest) -> User:
    if not request.user.is_cam:
        raise Http404
    return request.user


# --- capacity manager ---------------------------------------------------------------


def _capacity_rows(request: HttpRequest, partner: Partner):
    """(filter form, rows) of the partner's registrations as filtered on screen: the page and its exports."""
    filters = CapacityFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {}) or {}
    rows = selectors.registrations_for_partner(partner=partner, search=data.get("q", ""), status=data.get("status", ""))
    return filters, rows


REGISTRATION_COLUMNS = (
    Column(gettext_lazy("Domain"), lambda r: domain_unicode(r.domain)),
    Column(gettext_lazy("Company"), attrgetter("company_name")),
    Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column(gettext_lazy("Submitted at"), attrgetter("submitted_at"), exports.DATE),
    Column(gettext_lazy("Expires on"), attrgetter("expires_on"), exports.DATE),
    Column(gettext_lazy("extended"), attrgetter("extended")),
    Column(gettext_lazy("Reason"), attrgetter("decision_reason")),
)


@login_required
@require_GET
def capacity_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The partner's domain registrations as CSV or Excel, with the search and status on screen."""
    partner = partner_own(request.user)
    _filters, rows = _capacity_rows(request, partner)
    name = exports.dated(f"{partner.partner_id}-domain-registrations")
    return exports.export(rows=rows.iterator(chunk_size=500), columns=REGISTRATION_COLUMNS, format=fmt, filename=name)


def _capacity_context(request: HttpRequest, partner: Partner, *, form: DomainRegisterForm | None = None) -> dict:
    filters, rows = _capacity_rows(request, partner)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    summary = selectors.registration_summary(partner=partner)
    cap, used = summary["registration_cap"], summary["live_registrations"]
    config = RegistrationConfig.get()
    return {
        "partner": partner,
        "cap": cap,
        "next_cap": selectors.next_tier_cap(partner=partner, config=config),
        "expiring_soon": selectors.expiring_soon_count(partner=partner, config=config),
        "reminder_days": config.reminder_days,
        "used": used,
        "percent": min(100, round(100 * used / cap)) if cap else 0,
        "at_cap": cap is not None and used >= cap,
        "commission_hold": summary["commission_hold"],
        "page": page,
        "filters": filters,
        "form": form or DomainRegisterForm(),
        "status_help": [(value, label, services.STATUS_HELP[value]) for value, label in RegistrationStatus.choices],
        "query": request.GET.urlencode(),
    }


@login_required
def capacity(request: HttpRequest) -> HttpResponse:
    """GET: meter, list, filters. POST: register a domain (htmx swaps the whole capacity block)."""
    partner = partner_own(request.user)
    form = DomainRegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with refusal(request, form=form, field="domain") as refused:
                registration = services.registration_submit(
                    partner=partner, acting_user=request.user, **form.cleaned_data
                )
            if not refused:
                messages.success(
                    request,
                    _("%(domain)s was submitted for approval.") % {"domain": domain_unicode(registration.domain)},
                )
                if not wants_partial(request):
                    return redirect("registrations:capacity")
                form = DomainRegisterForm()
        status = 400 if form.errors else 200
    context = _capacity_context(request, partner, form=form)
    if wants_partial(request):
        name = "list" if request.method == "GET" else "capacity"
        return render(request, f"registrations/capacity.html#{name}", context, status=status)
    return render(request, "registrations/capacity.html", context, status=status)


def _after_action(request: HttpRequest, partner: Partner) -> HttpResponse:
    if wants_partial(request):
        return render(request, "registrations/capacity.html#capacity", _capacity_context(request, partner))
    return redirect("registrations:capacity")


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_own(request.user)
    registration = selectors.registrations_for_partner(partner=partner).filter(pk=pk).first()
    if registration is None:
        raise Http404
    with refusal(request) as refused:
        registration = services.registration_extend(registration=registration, acting_user=request.user)
    if not refused:
        messages.success(
            request,
            _("%(domain)s now expires on %(date)s.")
            % {"domain": domain_unicode(registration.domain), "date": date_format(registration.expires_on)},
        )
    return _after_action(request, partner)


@login_required
@require_POST
def release(request: HttpRequest) -> HttpResponse:
    """Release one or many of the partner's domains (checkboxes named `ids`)."""
    partner = partner_own(request.user)
    try:
        ids = {int(value) for value in request.POST.getlist("ids")}
    except ValueError as exc:
        raise Http404 from exc
    found = set(selectors.registrations_for_partner(partner=partner).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - found:
        raise Http404
    if not ids:
        messages.error(request, _("Select the domains to release."))
        return _after_action(request, partner)
    with refusal(request) as refused:
        released = services.registrations_release(partner=partner, ids=ids, acting_user=request.user)
    if not refused:
        count = len(released)
        messages.success(
            request,
            ngettext("%(count)s domain released.", "%(count)s domains released.", count) % {"count": count},
        )
    return _after_action(request, partner)


# --- CAM approval queue -----------------------------------------------------------------


def _row_url(viewname: str, *args: str) -> Callable[[int], str]:
    """Reverse `viewname` once, with the row's pk where `args` says "{pk}"; returns pk → URL.

    A page of rows then costs one reversal per kind of link, not one per row (issue 15).
    """
    marker = "987654321"
    pattern = reverse(viewname, args=[marker if arg == "{pk}" else arg for arg in args]).replace(marker, "{pk}")
    return lambda pk: pattern.format(pk=pk)


def _with_decision_urls(rows, kind: str):
    approve = _row_url("registrations:queue-decide", kind, "{pk}", "approve")
    reject = _row_url("registrations:queue-decide", kind, "{pk}", "reject")
    for row in rows:
        row.approve_url, row.reject_url = approve(row.pk), reject(row.pk)
    return rows


def _queue_context(request: HttpRequest, cam: User) -> dict:
    """A page of each queue, oldest first (`page` for domains, `deals_page` for deals), with the totals."""
    registrations = Paginator(selectors.approval_queue(cam=cam), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    deals = Paginator(selectors.deal_queue(cam=cam), QUEUE_PAGE_SIZE).get_page(request.GET.get("deals_page"))
    _with_decision_urls(registrations.object_list, "domain")
    _with_decision_urls(deals.object_list, "deal")
    return {"registrations": registrations, "deals": deals, "reject_form": RejectForm()}


_PARTNER_COLUMNS = (
    Column(gettext_lazy("Partner ID"), lambda obj: obj.partner.partner_id),
    Column(gettext_lazy("Partner"), lambda obj: obj.partner.name),
)
_SUBMITTED_COLUMNS = (
    Column(gettext_lazy("Submitted by"), lambda obj: obj.submitted_by.email if obj.submitted_by else ""),
    Column(gettext_lazy("Submitted at"), attrgetter("submitted_at"), exports.DATETIME),
)
DEAL_COLUMNS = (
    Column(gettext_lazy("Company"), attrgetter("company_name")),
    Column(gettext_lazy("Domain"), lambda d: domain_unicode(d.domain) if d.domain else ""),
    *_PARTNER_COLUMNS,
    Column(gettext_lazy("Products"), lambda d: ", ".join(d.product_labels())),
    Column(gettext_lazy("Expected MRR"), attrgetter("expected_mrr"), exports.MONEY),
    Column(gettext_lazy("Currency"), attrgetter("currency")),
    Column(gettext_lazy("Stage"), lambda d: d.get_stage_display()),
    Column(gettext_lazy("Expected close"), attrgetter("expected_close_on"), exports.DATE),
    Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
    *_SUBMITTED_COLUMNS,
)
QUEUE_COLUMNS = {
    "domains": (
        Column(gettext_lazy("Domain"), lambda r: domain_unicode(r.domain)),
        Column(gettext_lazy("Company"), attrgetter("company_name")),
        *_PARTNER_COLUMNS,
        *_SUBMITTED_COLUMNS,
    ),
    "deals": DEAL_COLUMNS,
}


@login_required
@require_GET
def queue_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """One of the CAM's queues (pending domains or deals of their book), oldest first, as CSV or Excel."""
    cam = _require_cam(request)
    rows = selectors.approval_queue(cam=cam) if kind == "domains" else selectors.deal_queue(cam=cam)
    name = exports.dated(f"approvals-{kind}")
    return exports.export(rows=rows.iterator(chunk_size=500), columns=QUEUE_COLUMNS[kind], format=fmt, filename=name)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    cam = _require_cam(request)
    return render(request, "registrations/queue.html", _queue_context(request, cam))


def _decided_row(request: HttpRequest, obj, kind: str) -> HttpResponse:
    if wants_partial(request):
        return render(request, "registrations/queue.html#decided", {"obj": obj, "kind": kind})
    return redirect("registrations:queue")


@login_required
@require_POST
def queue_decide(request: HttpRequest, kind: str, pk: str, decision: str) -> HttpResponse:
    """Approve or reject one pending domain or deal of the CAM's book (reject needs a reason)."""
    cam = _require_cam(request)
    pk = int(pk)
    if kind == "domain":
        obj = selectors.queue_registration_get(cam=cam, pk=pk)
        approve, reject, field = services.registration_approve, services.registration_reject, "registration"
    else:
        obj = selectors.queue_deal_get(cam=cam, pk=pk)
        approve, reject, field = services.deal_approve, services.deal_reject, "deal"
    with refusal(request, inline=wants_partial(request)) as refused:
        if decision == "approve":
            obj = approve(**{field: obj}, acting_user=cam)
        else:
            obj = reject(**{field: obj}, acting_user=cam, reason=request.POST.get("reason", ""))
    if refused and wants_partial(request):
        _with_decision_urls([obj], kind)
        context = {"obj": obj, "kind": kind, "error": refused.message, "reject_form": RejectForm(request.POST)}
        return render(request, "registrations/queue.html#pending-row", context, status=400)
    if refused:
        return redirect("registrations:queue")
    return _decided_row(request, obj, kind)


@login_required
@require_POST
def queue_approve_bulk(request: HttpRequest) -> HttpResponse:
    cam = _require_cam(request)
    try:
        ids = {int(value) for value in request.POST.getlist("ids")}
    except ValueError as exc:
        raise Http404 from exc
    rows = list(selectors.approval_queue(cam=cam).filter(pk__in=ids))
    if len(rows) != len(ids):
        raise Http404
    approved = services.registrations_approve_bulk(registrations=rows, acting_user=cam)
    messages.success(
        request,
        ngettext("%(count)s registration approved.", "%(count)s registrations approved.", approved)
        % {"count": approved},
    )
    if wants_partial(request):
        return render(request, "registrations/queue.html#queue", _queue_context(request, cam))
    return redirect("registrations:queue")


# --- deals --------------------------------------------------------------------------------


def _deal_rows(request: HttpRequest, user: User):
    """(rows, status filter) of the deals the user sees, newest first: the page and its exports."""
    rows = selectors.deals_visible_to(user).select_related("submitted_by").order_by("-submitted_at", "-pk")
    status = request.GET.get("status", "")
    if status:
        rows = rows.filter(status=status)
    return rows, status


@login_required
@require_GET
def deals_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The deals on the page (a partner's own, a CAM's book), every page, as CSV or Excel."""
    rows, _status = _deal_rows(request, request.user)
    return exports.export(
        rows=rows.iterator(chunk_size=500), columns=DEAL_COLUMNS, format=fmt, filename=exports.dated("deals")
    )


@login_required
def deals(request: HttpRequest) -> HttpResponse:
    """Deals visible to the user; partner users also register new ones here."""
    user: User = request.user
    form = DealForm(request.POST or None, partner=user.partner) if user.is_partner_user else None
    if request.method == "POST":
        partner = partner_own(request.user)
        if form.is_valid():
            with refusal(request, form=form) as refused:
                deal = services.deal_submit(partner=partner, acting_user=user, **form.cleaned_data)
            if not refused:
                messages.success(request, _("Deal registration submitted."))
                return redirect("registrations:deal", pk=deal.pk)
    rows, status = _deal_rows(request, user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/deals.html",
        {"page": page, "form": form, "status": status},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get_for_user(user=request.user, pk=pk)
    return render(request, "registrations/deal_detail.html", _deal_context(deal, NoteForm()))


def _deal_context(deal, form: NoteForm) -> dict:
    return {
        "deal": deal,
        "events": deal.events.select_related("actor"),
        "notes": deal.notes.select_related("author"),
        "note_form": form,
    }


@login_required
@require_POST
def deal_note(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get_for_user(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        with refusal(request, form=form, field="body") as refused:
            services.deal_note_add(deal=deal, author=request.user, body=form.cleaned_data["body"])
        if not refused:
            form = NoteForm()
    if wants_partial(request):
        return render(
            request,
            "registrations/deal_detail.html#notes",
            _deal_context(deal, form),
            status=400 if form.errors else 200,
        )
    return redirect("registrations:deal", pk=deal.pk)


# --- cap reduction assistant ------------------------------------------------------------------


def _selected_ids(request: HttpRequest, partner: Partner) -> list[int]:
    """The `ids` posted, each one of this partner's registrations (any status); 404 for anything else."""
    try:
        ids = sorted({int(value) for value in request.POST.getlist("ids")})
    except ValueError as exc:
        raise Http404 from exc
    found = selectors.registrations_for_partner(partner=partner).filter(pk__in=ids).count()
    if found != len(ids):
        raise Http404
    return ids


def _profile_url(user: User, partner: Partner) -> str | None:
    """Where the operating countries and target industries are edited, for this reader (None: not theirs)."""
    if user.is_partner_admin and user.partner_id == partner.pk:
        return reverse("directory:profile-edit")
    if user.is_programme_staff and user.has_perm("portal.change_partner"):
        return reverse("admin:portal_partner_change", args=[partner.pk])
    return None


def _assistant_context(
    request: HttpRequest,
    partner: Partner,
    *,
    ranking: assistant.Ranking,
    target_form: AssistantTargetForm,
    selected: list[int],
    target: int | None,
    error: str = "",
) -> dict:
    cap, used = ranking.cap, ranking.live
    return {
        "partner": partner,
        "ranking": ranking,
        "cap": cap,
        "used": used,
        "percent": min(100, round(100 * used / cap)) if cap else 0,
        "over_by": max(0, used - cap) if cap is not None else 0,
        "commission_hold": selectors.commission_hold_open(partner=partner) is not None,
        "target_form": target_form,
        "target": target,
        "proposed": len(ranking.proposal(target)) if target is not None else 0,
        "selected": set(selected),
        "count": _count_facts(ranking, len(selected), target),
        "error": error,
        "may_release": services.may_release_for(request.user, partner),
        "own": request.user.is_partner_user,
        "profile_url": _profile_url(request.user, partner),
        "country_names": [str(country.name) for country in partner.operating_countries],
        "industry_names": Partner._meta.get_field("industries").labels(partner.industries),
        "list_separator": pgettext("list separator", ", "),
    }


def _count_facts(ranking: assistant.Ranking, chosen: int, target: int | None) -> dict:
    after = ranking.live - chosen
    return {
        "chosen": chosen,
        "after": after,
        "cap": ranking.cap,
        "target": target,
        "within_cap": ranking.cap is None or after <= ranking.cap,
        "room": ranking.cap is not None and after < ranking.cap,
        "over_by": max(0, after - ranking.cap) if ranking.cap is not None else 0,
    }


def _assistant_page(
    request: HttpRequest, partner: Partner, *, selected: list[int] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    """The assistant's page: the ranking, the target and the preselected proposal (or `selected`)."""
    ranking = assistant.ranking_for(partner=partner, today=timezone.localdate())
    data = request.GET if "target" in request.GET else (request.POST if "target" in request.POST else None)
    target_form = AssistantTargetForm(data, live=ranking.live, initial={"target": ranking.default_target})
    target = ranking.default_target
    if target_form.is_bound:
        if target_form.is_valid():
            if target_form.cleaned_data["target"] is not None:
                target = target_form.cleaned_data["target"]
        else:
            status = 400
    if selected is None:
        selected = ranking.proposal(target) if target is not None else []
    context = _assistant_context(
        request, partner, ranking=ranking, target_form=target_form, selected=selected, target=target, error=error
    )
    return render(request, "registrations/assistant.html", context, status=status)


@login_required
@require_GET
def cap_assistant(request: HttpRequest, partner_id: str) -> HttpResponse:
    """The cap reduction assistant: live registrations ranked as release candidates, a proposal preselected."""
    return _assistant_page(request, partner_for(request.user, partner_id))


@login_required
@require_POST
def cap_assistant_count(request: HttpRequest, partner_id: str) -> HttpResponse:
    """htmx: how many are selected and the live count after releasing them, against the cap and the target."""
    partner = partner_for(request.user, partner_id)
    ids = _selected_ids(request, partner)
    ranking = assistant.ranking_for(partner=partner, today=timezone.localdate())
    chosen = len(set(ids) & {c.pk for c in ranking.candidates})
    target_form = AssistantTargetForm(request.POST, live=ranking.live)
    target = target_form.cleaned_data["target"] if target_form.is_valid() else None
    target = ranking.default_target if target is None else target
    context = {"partner": partner, "count": _count_facts(ranking, chosen, target)}
    return render(request, "registrations/assistant.html#count", context)


@login_required
@require_POST
def cap_assistant_review(request: HttpRequest, partner_id: str) -> HttpResponse:
    """The confirmation step: which domains, how many, and the live count against the cap afterwards."""
    partner = partner_for(request.user, partner_id)
    if not services.may_release_for(request.user, partner):
        raise PermissionDenied("this person may not release the partner's registrations")
    ids = _selected_ids(request, partner)
    if not ids:
        return _assistant_page(request, partner, selected=[], error=_("Select the domains to release."), status=400)
    ranking = assistant.ranking_for(partner=partner, today=timezone.localdate())
    by_pk = {c.pk: c for c in ranking.candidates}
    stale = [pk for pk in ids if pk not in by_pk]
    if stale:
        rows = selectors.registrations_for_partner(partner=partner).filter(pk__in=stale).order_by("domain")
        error = services.StaleSelection(rows).message
        live = [pk for pk in ids if pk in by_pk]
        return _assistant_page(request, partner, selected=live, error=error, status=400)
    chosen = [by_pk[pk] for pk in ids]
    chosen.sort(key=lambda c: c.registration.domain)
    context = {
        "partner": partner,
        "confirm": True,
        "chosen": chosen,
        "ids": ids,
        "target": request.POST.get("target", ""),
        "count": _count_facts(ranking, len(chosen), None),
        "commission_hold": selectors.commission_hold_open(partner=partner) is not None,
        "own": request.user.is_partner_user,
    }
    return render(request, "registrations/assistant.html", context)


@login_required
@require_POST
def cap_assistant_release(request: HttpRequest, partner_id: str) -> HttpResponse:
    """The one confirmed release; back to the assistant with the meter (and any hold) updated."""
    partner = partner_for(request.user, partner_id)
    if not services.may_release_for(request.user, partner):
        raise PermissionDenied("this person may not release the partner's registrations")
    ids = _selected_ids(request, partner)
    with refusal(request, inline=True) as refused:
        result = services.registrations_cap_reduce(partner=partner, ids=ids, acting_user=request.user)
    if refused:
        return _assistant_page(request, partner, error=refused.message, status=400)
    count = len(result.released)
    text = ngettext("%(count)s domain released.", "%(count)s domains released.", count) % {"count": count}
    if result.cap is not None:
        text += " " + _("Live registrations: %(live)s of %(cap)s.") % {"live": result.live, "cap": result.cap}
    if result.hold_closed:
        text += " " + _("The commission hold has ended.")
    messages.success(request, text)
    return redirect("registrations:assistant", partner_id=partner.partner_id)
